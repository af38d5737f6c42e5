import { OrderPaymentFailedV1, OrderPaymentSucceededV1, OrderStockConfirmedV1, OrderStockRejectedV1 } from '../../contracts/index.ts'
import { type IntegrationEvent, type Repository, Subscriber, type UnitOfWork } from '../../kernel/index.ts'
import type { Order } from '../domain/order/order.ts'
import type { OrderStatus } from '../domain/order/order.events.ts'
import { loadOrder } from './commands/order-commands.ts'

/**
 * Ordering's reactions to the catalog and payment contexts. A reply about an order that has
 * meanwhile moved on (e.g. the buyer cancelled) is acknowledged and ignored: redelivering it
 * could never succeed, and the inbox still records it.
 */
export function orderingSubscriber(orders: Repository<Order>) {
  const whenStatus = async (uow: UnitOfWork, event: IntegrationEvent<string, { orderId: string }>, expected: OrderStatus, act: (o: Order) => void) => {
    const order = await loadOrder(uow, orders, event.data.orderId)
    if (order.state.status === expected) act(order)
  }
  return new Subscriber('ordering')
    .on(
      OrderStockConfirmedV1,
      function confirmStockWhenStockConfirmed(event, { uow }) {
        return whenStatus(uow, event, 'awaiting_validation', (o) => o.confirmStock())
      },
      { name: 'confirmStockWhenStockConfirmed' },
    )
    .on(
      OrderStockRejectedV1,
      function cancelOrderWhenStockRejected(event, { uow }) {
        return whenStatus(uow, event, 'awaiting_validation', (o) => o.rejectStock(event.data.rejectedItems.map((i) => i.productId)))
      },
      { name: 'cancelOrderWhenStockRejected' },
    )
    .on(
      OrderPaymentSucceededV1,
      function markPaidWhenPaymentSucceeded(event, { uow }) {
        return whenStatus(uow, event, 'stock_confirmed', (o) => o.markPaid())
      },
      { name: 'markPaidWhenPaymentSucceeded' },
    )
    .on(
      OrderPaymentFailedV1,
      function cancelOrderWhenPaymentFailed(event, { uow }) {
        return whenStatus(uow, event, 'stock_confirmed', (o) => o.failPayment())
      },
      { name: 'cancelOrderWhenPaymentFailed' },
    )
}
