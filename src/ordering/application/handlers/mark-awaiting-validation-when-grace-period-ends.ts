import type { DomainEvent, HandlerContext, Repository } from '../../../kernel/index.ts'
import type { Order } from '../../domain/order/order.ts'
import { loadOrder } from '../commands/order-commands.ts'

/**
 * After-commit, delayed by the grace period (a QStash delayed message to our own route, not a
 * polling loop): the buyer could cancel until now; afterwards the order goes to validation.
 */
export function markAwaitingValidationWhenGracePeriodEnds(orders: Repository<Order>) {
  return async function markAwaitingValidationWhenGracePeriodEnds(event: DomainEvent, { uow }: HandlerContext) {
    const order = await loadOrder(uow, orders, event.aggregateId)
    if (order.state.status !== 'submitted') return // cancelled during the grace period
    order.markAwaitingValidation()
  }
}
