import type { DomainEvent, HandlerContext, Repository } from '../../../kernel/index.ts'
import type { Buyer } from '../../domain/buyer/buyer.ts'
import type { Order } from '../../domain/order/order.ts'
import { loadOrder } from '../commands/order-commands.ts'

/** A paid order grows the buyer's lifetime spend (and may cross the $6,000 rule), same commit. */
export function recordSpendWhenOrderPaid(orders: Repository<Order>, buyers: Repository<Buyer>) {
  return async function recordSpendWhenOrderPaid(event: DomainEvent, { uow }: HandlerContext): Promise<void> {
    const order = await loadOrder(uow, orders, event.aggregateId)
    const buyer = await uow.load(buyers, order.state.buyerId ?? order.state.buyer.id)
    buyer?.recordPaidOrder(order.id, order.state.total)
  }
}
