import type { ContextDashboard, SubjectSummary } from '../../platform/observability/timeline.ts'
import { type Database, parameters } from '../../platform/store/database.ts'

const SUMMARY = `SELECT o.order_id, o.state,
    (SELECT group_concat(r.product_id || ' ×' || r.units, ', ') FROM catalog_reservations r WHERE r.order_id = o.order_id) AS held
  FROM catalog_orders o`

const summary = (row: Record<string, unknown>): SubjectSummary => ({
  id: String(row.order_id),
  status: String(row.state),
  facts: row.held ? [{ label: 'holds', value: String(row.held) }] : [],
})

/**
 * What a Catalog service shows on its dashboard: its stock reservations, one per order it
 * touched (keyed by the order's id, the subject of the events about it). Catalog keeps no stream
 * of them, so the chain is found from its deliveries; it keeps no time either (newest: last written).
 */
export function catalogDashboard({ client }: Database): ContextDashboard {
  return {
    subjects: {
      name: 'stock reservation',
      statuses: {
        statuses: [
          { status: 'reserved', reachedBy: 'OrderStockConfirmed', tone: 'warn' },
          { status: 'closed', reachedBy: 'OrderStatusChangedToPaid', tone: 'ok' },
        ],
      },
      hint: 'Stock is held from the confirmation until the order is paid (then removed) or cancelled (then released).',
      async list(limit) {
        const { rows } = await client.execute({ sql: `${SUMMARY} ORDER BY o.rowid DESC LIMIT ?`, args: [limit] })
        return rows.map(summary)
      },
      async find(ids) {
        if (ids.length === 0) return []
        const { rows } = await client.execute({ sql: `${SUMMARY} WHERE o.order_id IN (${parameters(ids)})`, args: [...ids] })
        return rows.map(summary)
      },
    },
  }
}
