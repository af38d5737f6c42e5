import type { DomainEvent, HandlerContext, Repository } from '../../../kernel/index.ts'
import type { Buyer } from '../../domain/buyer/buyer.ts'
import type { BuyerAndPaymentMethodVerified } from '../../domain/buyer/buyer.events.ts'
import type { Order } from '../../domain/order/order.ts'
import { loadOrder } from '../commands/order-commands.ts'

/** Stamps the order with its buyer and payment method, and the buyer's loyalty discount if any. */
export function updateOrderWhenBuyerAndPaymentMethodVerified(orders: Repository<Order>, buyers: Repository<Buyer>) {
  return async function updateOrderWhenBuyerAndPaymentMethodVerified(
    event: DomainEvent<'BuyerAndPaymentMethodVerified', BuyerAndPaymentMethodVerified['data']>,
    { uow }: HandlerContext,
  ): Promise<void> {
    const { orderId, buyerId, paymentMethod } = event.data
    // Both loads hit the identity map: the same instances the command and previous handler used.
    const order = await loadOrder(uow, orders, orderId)
    order.assignBuyer(buyerId, paymentMethod.id)
    const buyer = await uow.load(buyers, buyerId)
    if (buyer && buyer.state.loyaltyDiscountPercent > 0) order.applyLoyaltyDiscount(buyer.state.loyaltyDiscountPercent)
  }
}
