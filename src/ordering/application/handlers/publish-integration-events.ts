import {
  BuyerQualifiedForLoyaltyDiscountV1,
  BuyerRegisteredV2,
  OrderAwaitingValidationV1,
  OrderCancelledV1,
  OrderPaidV1,
  OrderShippedV1,
  OrderStockConfirmedStatusV1,
} from '../../../contracts/index.ts'
import { type Contract, type DomainEvent, type HandlerContext, newIntegrationEvent, type Repository } from '../../../kernel/index.ts'
import type { Buyer } from '../../domain/buyer/buyer.ts'
import type { Order } from '../../domain/order/order.ts'
import { loadOrder } from '../commands/order-commands.ts'

/**
 * Domain events → integration events. Each handler runs in the command's transaction, so the
 * integration event lands in the outbox only if the command commits. The domain event stays
 * internal; the integration event carries just what its contract promises.
 */
export function integrationEventPublishers(orders: Repository<Order>, buyers: Repository<Buyer>) {
  const publish = <D>(ctx: HandlerContext, contract: Contract<D, any>, event: DomainEvent, data: D) =>
    ctx.publish(newIntegrationEvent(contract, event.aggregateId, data, event.aggregateVersion))
  const orderOf = (ctx: HandlerContext, event: DomainEvent) => loadOrder(ctx.uow, orders, event.aggregateId)

  return {
    async publishWhenOrderAwaitingValidation(event: DomainEvent, ctx: HandlerContext) {
      const { state } = await orderOf(ctx, event)
      publish(ctx, OrderAwaitingValidationV1, event, {
        orderId: state.id,
        buyerId: state.buyer.id,
        items: state.items.map(({ productId, units }) => ({ productId, units })),
      })
    },
    async publishWhenOrderStockConfirmed(event: DomainEvent, ctx: HandlerContext) {
      const { state } = await orderOf(ctx, event)
      publish(ctx, OrderStockConfirmedStatusV1, event, {
        orderId: state.id,
        buyerId: state.buyer.id,
        totalCents: state.total,
        cardLast4: state.card.last4,
      })
    },
    async publishWhenOrderPaid(event: DomainEvent, ctx: HandlerContext) {
      const { state } = await orderOf(ctx, event)
      publish(ctx, OrderPaidV1, event, {
        orderId: state.id,
        buyerId: state.buyer.id,
        buyerName: state.buyer.name,
        buyerEmail: state.buyer.email,
        totalCents: state.total,
        items: state.items.map(({ productId, units }) => ({ productId, units })),
      })
    },
    async publishWhenOrderCancelled(event: DomainEvent<'OrderCancelled', { reason: 'requested' | 'stock_rejected' | 'payment_failed'; previousStatus: string }>, ctx: HandlerContext) {
      const { state } = await orderOf(ctx, event)
      publish(ctx, OrderCancelledV1, event, {
        orderId: state.id,
        buyerId: state.buyer.id,
        buyerEmail: state.buyer.email,
        reason: event.data.reason,
        previousStatus: event.data.previousStatus,
      })
    },
    async publishWhenOrderShipped(event: DomainEvent, ctx: HandlerContext) {
      const { state } = await orderOf(ctx, event)
      publish(ctx, OrderShippedV1, event, { orderId: state.id, buyerId: state.buyer.id, buyerEmail: state.buyer.email })
    },
    async publishWhenBuyerRegistered(
      event: DomainEvent<'BuyerRegistered', { buyerId: string; name: string; email: string; channel: string }>,
      ctx: HandlerContext,
    ) {
      const { buyerId, name, email, channel } = event.data
      publish(ctx, BuyerRegisteredV2, event, { buyerId, name, email, channel })
    },
    async publishWhenBuyerQualifiedForLoyaltyDiscount(
      event: DomainEvent<'BuyerQualifiedForLoyaltyDiscount', { ratePercent: number; lifetimeSpend: number }>,
      ctx: HandlerContext,
    ) {
      const buyer = (await ctx.uow.load(buyers, event.aggregateId))!
      publish(ctx, BuyerQualifiedForLoyaltyDiscountV1, event, {
        buyerId: buyer.id,
        name: buyer.state.name,
        email: buyer.state.email,
        ratePercent: event.data.ratePercent,
        lifetimeSpendCents: event.data.lifetimeSpend,
      })
    },
  }
}
