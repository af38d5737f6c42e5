import { afterEach, describe, expect, it } from 'bun:test'
import { Order, type OrderState } from '../../src/ordering/domain/order/order.ts'
import type { OrderEvent } from '../../src/ordering/domain/order/order.events.ts'
import { advance, transitionDirectly } from '../support/flow.ts'
import { orderBody, placeOrder, type TestHerald, testHerald } from '../support/herald.ts'

let h: TestHerald
afterEach(() => h?.dispose())

async function storedState(orderId: string): Promise<{ state: OrderState; version: number }> {
  const { rows } = await h.database.client.execute({
    sql: 'SELECT state, version FROM ordering_orders WHERE id = ?',
    args: [orderId],
  })
  // The row holds personal data sealed; the events route shows it opened, so compare opened.
  return { state: await h.personalData.openDeep(JSON.parse(String(rows[0]!.state))), version: Number(rows[0]!.version) }
}

async function replayed(orderId: string): Promise<Order> {
  const events = (await (await h.request(`/orders/${orderId}/events`)).json()) as OrderEvent[]
  return Order.fromHistory(
    orderId,
    events.map(({ type, data }) => ({ type, data }) as OrderEvent),
  )
}

describe('concurrent commands on one order', () => {
  it('20 concurrent cancels: exactly one succeeds, the rest get 409, no lost update', async () => {
    h = await testHerald()
    const orderId = await placeOrder(h)
    const responses = await Promise.all(Array.from({ length: 20 }, () => h.post(`/orders/${orderId}/cancel`)))
    const statuses = responses.map((r) => r.status).sort()
    expect(statuses).toEqual([200, ...Array(19).fill(409)])
    for (const r of responses.filter((r) => r.status === 409)) {
      expect(['ORDER.INVALID_TRANSITION', 'CONCURRENCY.CONFLICT']).toContain(((await r.json()) as { code: string }).code)
    }
    const events = (await (await h.request(`/orders/${orderId}/events`)).json()) as { type: string }[]
    expect(events.filter((e) => e.type === 'OrderCancelled')).toHaveLength(1)
    expect((await storedState(orderId)).version).toBe(events.length)
  })

  it('20 concurrent mixed transitions: each legal transition happens at most once and the stream explains the state', async () => {
    h = await testHerald()
    const orderId = await placeOrder(h)
    const steps = ['markAwaitingValidation', 'confirmStock', 'markPaid', 'cancel', 'ship'] as const
    const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => transitionDirectly(h, orderId, (order) => order[steps[i % steps.length]!]())))
    const succeeded = results.filter((r) => r.status === 'fulfilled').length
    const events = (await (await h.request(`/orders/${orderId}/events`)).json()) as { type: string; version: number }[]
    // Every success is exactly one event after OrderStarted + OrderBuyerAssigned; none lost.
    expect(events.length).toBe(2 + succeeded)
    expect(events.map((e) => e.version)).toEqual(events.map((_, i) => i + 1))
    expect(new Set(events.map((e) => e.type)).size).toBe(events.length)
    const { state, version } = await storedState(orderId)
    expect(version).toBe(events.length)
    expect((await replayed(orderId)).state).toEqual(state)
  })
})

describe('optimistic concurrency', () => {
  it('two commands that loaded the same version: the second commit aborts, re-runs on fresh state, loses nothing', async () => {
    h = await testHerald()
    const orderId = await placeOrder(h)
    let loaded = 0
    let release!: () => void
    const bothLoaded = new Promise<void>((resolve) => (release = resolve))
    let attempts = 0
    const command = (act: (order: Order) => void) =>
      h.runner.run(async (uow) => {
        attempts++
        const order = (await uow.load(h.ordering.repositories.orders, orderId))!
        if (++loaded === 2) release()
        await bothLoaded
        act(order)
      })
    const results = await Promise.allSettled([command((o) => o.markAwaitingValidation()), command((o) => o.cancel())])
    expect(attempts).toBe(3) // both ran once; the loser of the commit race ran again
    expect(results.every((r) => r.status === 'fulfilled')).toBe(true)
    const events = (await (await h.request(`/orders/${orderId}/events`)).json()) as { type: string }[]
    expect(events.map((e) => e.type)).toEqual(['OrderStarted', 'OrderBuyerAssigned', 'OrderStatusChangedToAwaitingValidation', 'OrderCancelled'])
  })
})

describe('replay', () => {
  it('rebuilds every order from its events to exactly the stored state', async () => {
    h = await testHerald()
    const ids = [await placeOrder(h), await placeOrder(h), await placeOrder(h), await placeOrder(h)]
    await h.post(`/orders/${ids[0]}/cancel`)
    await advance(h, ids[1]!, 'awaitValidation', 'confirmStock', 'pay')
    await h.post(`/orders/${ids[1]}/ship`)
    await advance(h, ids[2]!, 'awaitValidation', 'confirmStock', 'declinePayment')
    await placeOrder(h, orderBody({ items: [{ productId: 'x', productName: 'X', unitPrice: 0.1, units: 3, discount: 0.05 }] }))
    for (const id of ids) {
      const { state, version } = await storedState(id)
      const order = await replayed(id)
      expect(order.state).toEqual(state)
      expect(order.version).toBe(version)
    }
  })
})
