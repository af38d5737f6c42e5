import {
  BuyerPersonalDataErasedV1,
  BuyerQualifiedForLoyaltyDiscountV1,
  BuyerRegisteredV2,
  ERASED_EMAIL,
  OrderAwaitingValidationV1,
  OrderCancelledV1,
  OrderPaidV1,
  OrderShippedV1,
  OrderStockConfirmedStatusV1,
} from '../../../contracts/index.ts'
import { type Contract, type DomainEvent, type HandlerContext, newIntegrationEvent, type Repository } from '../../../kernel/index.ts'
import { ERASED, type PersonalDataVault } from '../../../platform/store/personal-data.ts'
import type { Buyer } from '../../domain/buyer/buyer.ts'
import type { BuyerPersonalDataErased } from '../../domain/buyer/buyer.events.ts'
import type { Order } from '../../domain/order/order.ts'
import { loadOrder } from '../commands/order-commands.ts'

/**
 * Domain events → integration events. Each handler runs in the command's transaction, so the
 * integration event lands in the outbox only if the command commits. The domain event stays
 * internal; the integration event carries just what its contract promises.
 *
 * Personal data is sealed in the domain; these open it, so subscribers get clear values. For an
 * erased buyer it opens to nothing: the name reads `[erased]` and the email the reserved
 * {@link ERASED_EMAIL}, so no event published after the erasure carries anything personal.
 */
export function integrationEventPublishers(orders: Repository<Order>, buyers: Repository<Buyer>, vault: Pick<PersonalDataVault, 'open'>) {
  const name = (sealed: string) => vault.open(sealed)
  const email = async (sealed: string) => {
    const clear = await vault.open(sealed)
    return clear === ERASED ? ERASED_EMAIL : clear
  }
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
        buyerName: await name(state.buyer.name),
        buyerEmail: await email(state.buyer.email),
        totalCents: state.total,
        items: state.items.map(({ productId, units }) => ({ productId, units })),
      })
    },
    async publishWhenOrderCancelled(
      event: DomainEvent<'OrderCancelled', { reason: 'requested' | 'stock_rejected' | 'payment_failed'; previousStatus: string }>,
      ctx: HandlerContext,
    ) {
      const { state } = await orderOf(ctx, event)
      publish(ctx, OrderCancelledV1, event, {
        orderId: state.id,
        buyerId: state.buyer.id,
        buyerEmail: await email(state.buyer.email),
        reason: event.data.reason,
        previousStatus: event.data.previousStatus,
      })
    },
    async publishWhenOrderShipped(event: DomainEvent, ctx: HandlerContext) {
      const { state } = await orderOf(ctx, event)
      publish(ctx, OrderShippedV1, event, { orderId: state.id, buyerId: state.buyer.id, buyerEmail: await email(state.buyer.email) })
    },
    async publishWhenBuyerRegistered(
      event: DomainEvent<'BuyerRegistered', { buyerId: string; name: string; email: string; channel: string }>,
      ctx: HandlerContext,
    ) {
      const { buyerId, channel } = event.data
      publish(ctx, BuyerRegisteredV2, event, { buyerId, name: await name(event.data.name), email: await email(event.data.email), channel })
    },
    async publishWhenBuyerQualifiedForLoyaltyDiscount(
      event: DomainEvent<'BuyerQualifiedForLoyaltyDiscount', { ratePercent: number; lifetimeSpend: number }>,
      ctx: HandlerContext,
    ) {
      const buyer = (await ctx.uow.load(buyers, event.aggregateId))!
      publish(ctx, BuyerQualifiedForLoyaltyDiscountV1, event, {
        buyerId: buyer.id,
        name: await name(buyer.state.name),
        email: await email(buyer.state.email),
        ratePercent: event.data.ratePercent,
        lifetimeSpendCents: event.data.lifetimeSpend,
      })
    },
    async publishWhenBuyerPersonalDataErased(event: DomainEvent<'BuyerPersonalDataErased', BuyerPersonalDataErased['data']>, ctx: HandlerContext) {
      const { buyerId, erasedAt } = event.data
      publish(ctx, BuyerPersonalDataErasedV1, event, { buyerId, erasedAt })
    },
  }
}
