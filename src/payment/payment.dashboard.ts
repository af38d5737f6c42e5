import type { ContextDashboard, SubjectSummary } from '../platform/observability/timeline.ts'
import { type Database, parameters } from '../platform/store/database.ts'

const SUMMARY = 'SELECT order_id, transaction_id, status, amount_cents, created_at FROM payment_transactions'

const summary = (row: Record<string, unknown>): SubjectSummary => ({
  id: String(row.order_id),
  status: String(row.status),
  facts: [
    { label: 'amount', value: `$${(Number(row.amount_cents) / 100).toFixed(2)}` },
    { label: 'transaction', value: `…${String(row.transaction_id).slice(-8)}` },
  ],
  startedAt: String(row.created_at),
})

/**
 * What a Payment service shows on its dashboard: its payments, one per order (keyed by the
 * order's id, the subject of the events about it). Payment keeps rows, not streams, so the chain
 * is found from its deliveries; a status is reached by the event Payment published.
 */
export function paymentDashboard({ client }: Database): ContextDashboard {
  return {
    subjects: {
      name: 'payment',
      statuses: {
        statuses: [
          { status: 'succeeded', reachedBy: 'OrderPaymentSucceeded', tone: 'ok' },
          { status: 'failed', reachedBy: 'OrderPaymentFailed', tone: 'bad', stop: true },
          { status: 'refunded', reachedBy: 'OrderPaymentRefunded', tone: 'info', stop: true },
          { status: 'voided', reachedBy: 'OrderCancelled', tone: 'info', stop: true },
        ],
      },
      async list(limit) {
        const { rows } = await client.execute({ sql: `${SUMMARY} ORDER BY created_at DESC, order_id DESC LIMIT ?`, args: [limit] })
        return rows.map(summary)
      },
      async find(ids) {
        if (ids.length === 0) return []
        const { rows } = await client.execute({ sql: `${SUMMARY} WHERE order_id IN (${parameters(ids)})`, args: [...ids] })
        return rows.map(summary)
      },
    },
  }
}
