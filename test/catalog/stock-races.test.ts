import { afterEach, describe, expect, it } from 'bun:test'
import { OrderAwaitingValidationV1, OrderCancelledV1 } from '../../src/contracts/index.ts'
import type { IntegrationEvent } from '../../src/kernel/index.ts'
import { type TestHerald, testHerald } from '../support/herald.ts'

// QStash delivers an order's events independently: Catalog can handle an order's request for
// stock and its cancellation at the same moment, or the cancellation first. A barrier holds both
// deliveries after they read and before they commit, which is the race the concurrency soak
// found (a cancelled order keeping its reservation forever).

let h: TestHerald
afterEach(() => h?.dispose())

const orderId = '01a1fd14-0000-7000-8000-000000000001'
const event = (contract: { source: string; name: string }, id: string, data: unknown): IntegrationEvent => ({
  id,
  type: contract.name,
  version: 1,
  source: contract.source,
  subject: orderId,
  time: '2026-11-21T10:00:00.000Z',
  data,
  correlationId: orderId,
  causationId: null,
})
const awaitingValidation = event(OrderAwaitingValidationV1, 'ev-awaiting', { orderId, buyerId: 'ann', items: [{ productId: 'limited-print', productName: 'Print', unitPrice: 250, units: 2 }] })
const cancelled = event(OrderCancelledV1, 'ev-cancelled', { orderId, buyerId: 'ann', buyerEmail: 'ann@example.com', reason: 'requested', previousStatus: 'awaiting_validation' })

/** Runs a Catalog delivery as the service does: one command per delivery, re-run on a conflict. */
function deliver(integrationEvent: IntegrationEvent, gate?: Promise<void>, arrived?: () => void) {
  const subscription = h.catalog.subscriber.handlerFor(integrationEvent.source, integrationEvent.type)!
  let attempts = 0
  const done = h.runner.run(async (uow) => {
    await subscription.handle(integrationEvent, uow.context(integrationEvent.id))
    if (++attempts === 1 && gate) {
      arrived?.()
      await gate // both have read; neither has committed
    }
  })
  return { done, attempts: () => attempts }
}

function barrier(parties: number) {
  let open!: () => void
  const gate = new Promise<void>((resolve) => (open = resolve))
  let arrived = 0
  return { gate, arrive: () => void (++arrived === parties && open()) }
}

async function printShelf() {
  const print = (await h.catalog.items()).find((i) => i.id === 'limited-print')!
  const { rows } = await h.database.client.execute({ sql: 'SELECT units FROM catalog_reservations WHERE order_id = ?', args: [orderId] })
  return { stock: print.stock, reserved: print.reserved, reservations: rows.length }
}

describe('Catalog, when an order is cancelled while it asks for stock', () => {
  it('handled at the same moment: one delivery re-runs, and nothing stays reserved', async () => {
    h = await testHerald()
    await h.catalog.seed()
    const { gate, arrive } = barrier(2)
    const reserve = deliver(awaitingValidation, gate, arrive)
    const cancel = deliver(cancelled, gate, arrive)
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
