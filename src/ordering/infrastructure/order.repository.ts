import { eq } from 'drizzle-orm'
import { type OrderingDb, orders } from './schema.ts'
import type { Repository, Statement } from '../../kernel/index.ts'
import { expectChangedRow } from '../../platform/store/database.ts'
import { Order, type OrderState } from '../domain/order/order.ts'

/** Orders as a snapshot row (state JSON + queryable columns) beside their event stream. */
export function orderRepository(db: OrderingDb): Repository<Order> {
  return {
    aggregateType: Order.type,
    async load(id) {
      const [row] = await db.select({ state: orders.state, version: orders.version }).from(orders).where(eq(orders.id, id))
      return row ? Order.fromState(JSON.parse(row.state) as OrderState, row.version) : undefined
    },
    save(order, loadedVersion): Statement[] {
      const s = order.state
      if (loadedVersion === 0) {
        return [
          {
            sql: 'INSERT INTO ordering_orders (id, buyer_id, status, total, version, state, started_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
            args: [s.id, s.buyer.id, s.status, s.total, order.version, JSON.stringify(s), s.startedAt],
          },
        ]
      }
      // The event store's unique stream key already aborts a stale batch; the guarded version
      // check keeps the row safe even for a writer that bypasses the event store.
      return [
        {
          sql: 'UPDATE ordering_orders SET status = ?, total = ?, version = ?, state = ? WHERE id = ? AND version = ?',
          args: [s.status, s.total, order.version, JSON.stringify(s), s.id, loadedVersion],
        },
        expectChangedRow,
      ]
    },
  }
}
