import type { OrderingDb } from './schema.ts'
import type { Replayer } from '../../platform/reconcile.ts'
import { Buyer } from '../domain/buyer/buyer.ts'
import type { BuyerEvent } from '../domain/buyer/buyer.events.ts'
import { Order } from '../domain/order/order.ts'
import type { OrderEvent } from '../domain/order/order.events.ts'
import { buyerRepository } from './buyer.repository.ts'
import { orderRepository } from './order.repository.ts'

/** How the reconciliation job rebuilds Ordering's aggregates from their streams. */
export function orderingReplayers(db: OrderingDb): Replayer[] {
  return [
    { table: 'ordering_orders', repository: orderRepository(db), rebuild: (id, events) => Order.fromHistory(id, events as OrderEvent[]) },
    { table: 'ordering_buyers', repository: buyerRepository(db), rebuild: (id, events) => Buyer.fromHistory(id, events as BuyerEvent[]) },
  ]
}
