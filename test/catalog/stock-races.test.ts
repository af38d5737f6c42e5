import { afterEach, describe, expect, it } from 'bun:test'
import { OrderAwaitingValidationV1, OrderCancelledV1 } from '../../src/contracts/index.ts'
import type { IntegrationEvent } from '../../src/kernel/index.ts'
import { type Barrier, barrier, delivered, deliver as deliverTo } from '../support/deliveries.ts'
import { type TestHerald, testHerald } from '../support/herald.ts'

// QStash delivers an order's events independently: Catalog can handle an order's request for
// stock and its cancellation at the same moment, or the cancellation first. A barrier holds both
// deliveries after they read and before they commit, which is the race the concurrency soak
// found (a cancelled order keeping its reservation forever).

let h: TestHerald
afterEach(() => h?.dispose())

const deliver = (event: IntegrationEvent, hold?: Barrier) => deliverTo(h, h.subscriber('catalog')!, event, hold)

const orderId = '01a1fd14-0000-7000-8000-000000000001'
const awaitingValidation = delivered(OrderAwaitingValidationV1, 'ev-awaiting', orderId, {
  orderId,
  buyerId: 'ann',
  items: [{ productId: 'limited-print', productName: 'Print', unitPrice: 250, units: 2 }],
})
const cancelled = delivered(OrderCancelledV1, 'ev-cancelled', orderId, {
  orderId,
  buyerId: 'ann',
  buyerEmail: 'ann@example.com',
  reason: 'requested',
  previousStatus: 'awaiting_validation',
})

async function printShelf() {
  const print = (await h.catalog.items()).find((i) => i.id === 'limited-print')!
  const { rows } = await h.database.client.execute({ sql: 'SELECT units FROM catalog_reservations WHERE order_id = ?', args: [orderId] })
  return { stock: print.stock, reserved: print.reserved, reservations: rows.length }
}

describe('Catalog, when an order is cancelled while it asks for stock', () => {
  it('handled at the same moment: one delivery re-runs, and nothing stays reserved', async () => {
    h = await testHerald()
    await h.catalog.seed()
    const hold = barrier(2)
    const reserve = deliver(awaitingValidation, hold)
    const cancel = deliver(cancelled, hold)
    await Promise.all([reserve.done, cancel.done])

    expect(reserve.attempts() + cancel.attempts()).toBe(3) // the loser of the commit race ran again
    expect(await printShelf()).toEqual({ stock: 3, reserved: 0, reservations: 0 })
  })

  it('cancellation handled first: the late request for stock reserves nothing and confirms nothing', async () => {
    h = await testHerald()
    await h.catalog.seed()
    await deliver(cancelled).done
    const batchesBefore = h.batches.length
    await deliver(awaitingValidation).done

    expect(await printShelf()).toEqual({ stock: 3, reserved: 0, reservations: 0 })
    const { rows } = await h.database.client.execute("SELECT COUNT(*) AS n FROM outbox WHERE topic LIKE 'herald.catalog.%'")
    expect(Number(rows[0]!.n)).toBe(0)
    expect(h.batches.length).toBe(batchesBefore) // nothing written (in the service, the delivery's inbox row still commits)
  })

  it('in the usual order: reserved, then released on cancel', async () => {
    h = await testHerald()
    await h.catalog.seed()
    await deliver(awaitingValidation).done
    expect(await printShelf()).toEqual({ stock: 3, reserved: 2, reservations: 1 })
    await deliver(cancelled).done
    expect(await printShelf()).toEqual({ stock: 3, reserved: 0, reservations: 0 })
  })
})
