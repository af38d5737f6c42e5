import { afterEach, describe, expect, it } from 'bun:test'
import { OrderCancelledV1, OrderStockConfirmedStatusV1 } from '../../src/contracts/index.ts'
import type { IntegrationEvent } from '../../src/kernel/index.ts'
import { type Barrier, barrier, delivered, deliver as deliverTo } from '../support/deliveries.ts'
import { type TestHerald, testHerald } from '../support/herald.ts'

// A buyer may cancel an order while Payment charges it: QStash delivers `OrderStatusChangedToStockConfirmed`
// and `OrderCancelled` independently, at the same moment or the cancellation first. A barrier
// holds both deliveries after they read and before they commit.

let h: TestHerald
afterEach(() => h?.dispose())

const deliver = (event: IntegrationEvent, hold?: Barrier) => deliverTo(h, h.subscriber('payment')!, event, hold)

const orderId = '01a1fd14-0000-7000-8000-000000000002'
const stockConfirmed = delivered(OrderStockConfirmedStatusV1, 'ev-confirmed', orderId, {
  orderId,
  buyerId: 'ann',
  totalCents: 2500,
  cardLast4: '1111',
})
const cancelled = delivered(OrderCancelledV1, 'ev-cancelled', orderId, {
  orderId,
  buyerId: 'ann',
  buyerEmail: 'ann@example.com',
  reason: 'requested',
  previousStatus: 'stock_confirmed',
})

async function paymentState() {
  const { rows } = await h.database.client.execute({ sql: 'SELECT status, amount_cents FROM payment_transactions WHERE order_id = ?', args: [orderId] })
  const outbox = await h.database.client.execute("SELECT topic, payload FROM outbox WHERE topic LIKE 'herald.payment.%' ORDER BY created_at, id")
  return {
    charge: rows[0] ? `${rows[0].status} ${rows[0].amount_cents}` : 'none',
    published: outbox.rows.map((r) => String(r.topic).replace(/^herald\.payment\./, '')),
  }
}

describe('Payment, when an order is cancelled while it is being charged', () => {
  it('handled at the same moment: one delivery re-runs, and the buyer ends up not charged', async () => {
    h = await testHerald()
    const hold = barrier(2)
    const charge = deliver(stockConfirmed, hold)
    const cancel = deliver(cancelled, hold)
    await Promise.all([charge.done, cancel.done])

    expect(charge.attempts() + cancel.attempts()).toBe(3) // the loser of the commit race ran again
    const state = await paymentState()
    // Either the cancellation won (voided, nothing charged) or the charge won and was refunded.
    expect([
      { charge: 'voided 0', published: [] },
      { charge: 'refunded 2500', published: ['OrderPaymentSucceeded.v1', 'OrderPaymentRefunded.v1'] },
    ]).toContainEqual(state)
  })

  it('cancellation handled first: the late request to charge charges nothing and publishes nothing', async () => {
    h = await testHerald()
    await deliver(cancelled).done
    await deliver(stockConfirmed).done
    expect(await paymentState()).toEqual({ charge: 'voided 0', published: [] })
  })

  it('cancelled after the charge: refunded once, with the charge’s transaction and amount', async () => {
    h = await testHerald()
    await deliver(stockConfirmed).done
    await deliver(cancelled).done
    expect(await paymentState()).toEqual({ charge: 'refunded 2500', published: ['OrderPaymentSucceeded.v1', 'OrderPaymentRefunded.v1'] })
    const { rows } = await h.database.client.execute("SELECT payload FROM outbox WHERE topic = 'herald.payment.OrderPaymentRefunded.v1'")
    const refund = JSON.parse(String(rows[0]!.payload)) as { data: unknown }
    const { rows: charged } = await h.database.client.execute({ sql: 'SELECT transaction_id FROM payment_transactions WHERE order_id = ?', args: [orderId] })
    expect(refund.data).toEqual({ orderId, transactionId: String(charged[0]!.transaction_id), amountCents: 2500 })
  })

  it('a declined charge is not refunded', async () => {
    h = await testHerald()
    await deliver({ ...stockConfirmed, data: { ...(stockConfirmed.data as object), cardLast4: '0000' } }).done
    await deliver(cancelled).done
    expect(await paymentState()).toEqual({ charge: 'failed 2500', published: ['OrderPaymentFailed.v1'] })
  })
})
