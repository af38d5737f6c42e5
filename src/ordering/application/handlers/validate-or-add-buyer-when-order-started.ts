import type { DomainEvent, HandlerContext, Repository } from '../../../kernel/index.ts'
import { Buyer } from '../../domain/buyer/buyer.ts'
import type { OrderStarted } from '../../domain/order/order.events.ts'

/**
 * An order start makes the user a buyer: find or register the buyer, then verify or add the
 * card. Records BuyerAndPaymentMethodVerified, which the next handler reacts to.
 */
export function validateOrAddBuyerWhenOrderStarted(buyers: Repository<Buyer>) {
  return async function validateOrAddBuyerWhenOrderStarted(
    event: DomainEvent<'OrderStarted', OrderStarted['data']>,
    { uow, now, newId }: HandlerContext,
  ): Promise<void> {
    const { buyer: identity, card, orderId, channel } = event.data
    const buyer = (await uow.load(buyers, identity.id)) ?? uow.add(buyers, Buyer.register(identity.id, identity.name, identity.email, channel))
    buyer.verifyOrAddPaymentMethod(card, orderId, newId(), now.slice(0, 7))
  }
}
