import {
  OrderCancelledV1,
  OrderPaymentFailedV1,
  OrderPaymentRefundedV1,
  OrderPaymentSucceededV1,
  OrderStockConfirmedStatusV1,
  paymentContracts,
} from '../contracts/index.ts'
import { newIntegrationEvent, Subscriber } from '../kernel/index.ts'
import { defineContext } from '../platform/context.ts'
import { type Database, expectChangedRow } from '../platform/store/database.ts'
import { paymentDashboard } from './payment.dashboard.ts'
import * as paymentSchema from './schema.ts'

/**
 * The deterministic card rule of the reference domain: a card ending in 0000 is declined.
 * A real gateway would sit behind this function.
 */
export function isDeclined(cardLast4: string): boolean {
  return cardLast4 === '0000'
}

const RECORD = `INSERT INTO payment_transactions (order_id, transaction_id, status, amount_cents, created_at)
  VALUES (?, ?, ?, ?, ?)`

type Charge = { readonly transactionId: string; readonly status: 'succeeded' | 'failed' | 'voided' | 'refunded'; readonly amountCents: number }

/**
 * The Payment context: charges an order once its stock is confirmed, and refunds it when the order
 * is cancelled after all. A buyer may cancel while the charge is under way, and QStash delivers the
 * two events independently, so both handlers write the order's one `payment_transactions` row (a
 * plain INSERT when there is none): of two concurrent deliveries the later commit re-runs on what
 * the earlier one wrote. A cancellation that arrives first leaves a `voided` row, so no charge follows.
 */
function paymentSubscriber(database: Database) {
  const chargeOf = async (orderId: string): Promise<Charge | undefined> => {
    const { rows } = await database.client.execute({
      sql: 'SELECT transaction_id, status, amount_cents FROM payment_transactions WHERE order_id = ?',
      args: [orderId],
    })
    const row = rows[0]
    return row && { transactionId: String(row.transaction_id), status: String(row.status) as Charge['status'], amountCents: Number(row.amount_cents) }
  }

  const subscriber = new Subscriber('payment')
    .on(
      OrderStockConfirmedStatusV1,
      async function chargeWhenOrderStockConfirmed(event, { uow, now, newId, publish }) {
        const { orderId, totalCents, cardLast4 } = event.data
        // One charge per order: a row means it was charged already, or voided by a cancellation that came first.
        if (await chargeOf(orderId)) return
        const transactionId = newId()
        const declined = isDeclined(cardLast4)
        uow.stage({ sql: RECORD, args: [orderId, transactionId, declined ? 'failed' : 'succeeded', totalCents, now] })
        if (declined) publish(newIntegrationEvent(OrderPaymentFailedV1, orderId, { orderId, reason: 'card_declined' }))
        else publish(newIntegrationEvent(OrderPaymentSucceededV1, orderId, { orderId, transactionId, amountCents: totalCents }))
      },
      { name: 'chargeWhenOrderStockConfirmed' },
    )
    .on(
      OrderCancelledV1,
      async function refundWhenOrderCancelled(event, { uow, now, newId, publish }) {
        const { orderId } = event.data
        const charge = await chargeOf(orderId)
        if (!charge) {
          uow.stage({ sql: RECORD, args: [orderId, newId(), 'voided', 0, now] })
        } else if (charge.status === 'succeeded') {
          uow.stage(
            { sql: "UPDATE payment_transactions SET status = 'refunded' WHERE order_id = ? AND status = 'succeeded'", args: [orderId] },
            expectChangedRow,
          )
          publish(newIntegrationEvent(OrderPaymentRefundedV1, orderId, { orderId, transactionId: charge.transactionId, amountCents: charge.amountCents }))
        }
      },
      { name: 'refundWhenOrderCancelled' },
    )
  return subscriber
}

/** The Payment context: no routes of its own, only reactions to Ordering's events. */
export const payment = defineContext<Record<string, never>>({
  name: 'payment',
  schema: paymentSchema,
  migrations: () => new URL('../../drizzle/payment', import.meta.url),
  publishes: paymentContracts,
  consumes: [OrderStockConfirmedStatusV1, OrderCancelledV1],
  setup: ({ database }) => ({ api: {}, subscriber: paymentSubscriber(database), dashboard: paymentDashboard(database) }),
})
