import { afterEach, describe, expect, it } from 'bun:test'
import type { DomainEvent, HandlerContext } from '../../src/kernel/index.ts'
import { tableCounts } from '../support/database.ts'
import { orderBody, placeOrder, type TestHerald, testHerald } from '../support/herald.ts'
import { advance } from '../support/flow.ts'

let h: TestHerald
afterEach(() => h?.dispose())

const json = async (response: Response) => (await response.json()) as Record<string, any>

describe('POST /orders', () => {
  it('starts an order, verifies the buyer and stamps the order, all in one commit', async () => {
    h = await testHerald()
    const response = await h.post('/orders', orderBody())
    expect(response.status).toBe(201)
    const { orderId, status } = await json(response)
    expect(status).toBe('submitted')
    expect(response.headers.get('Location')).toBe(`/orders/${orderId}`)

    const order = await json(await h.request(`/orders/${orderId}`))
    expect(order).toMatchObject({ status: 'submitted', buyerId: 'alice', subtotal: 40, discount: 0, total: 40, version: 2 })
    expect(order.paymentMethodId).toBeString()

    expect(h.batches).toHaveLength(1)
    const events = await json(await h.request('/events'))
    expect(events.events.map((e: DomainEvent) => e.type)).toEqual(['OrderStarted', 'BuyerRegistered', 'BuyerAndPaymentMethodVerified', 'OrderBuyerAssigned'])
  })

  it('records correlation and causation on every event of the cascade', async () => {
    h = await testHerald()
    const orderId = await placeOrder(h)
    const all = (await json(await h.request('/events'))).events as any[]
    const byType = Object.fromEntries(all.map((e) => [e.type, e]))
    expect(new Set(all.map((e) => e.correlationId)).size).toBe(1)
    expect(byType.OrderStarted.causationId).toBeNull()
    expect(byType.BuyerAndPaymentMethodVerified.causationId).toBe(byType.OrderStarted.id)
    expect(byType.OrderBuyerAssigned.causationId).toBe(byType.BuyerAndPaymentMethodVerified.id)
    const stream = await json(await h.request(`/orders/${orderId}/events`))
    expect(stream.map((e: any) => [e.type, e.version])).toEqual([
      ['OrderStarted', 1],
      ['OrderBuyerAssigned', 2],
    ])
    expect(Object.keys(stream[0]).sort()).toEqual(expect.arrayContaining(['type', 'version', 'data', 'occurredAt', 'correlationId', 'causationId']))
  })

  it('uses a caller-supplied X-Correlation-Id', async () => {
    h = await testHerald()
    await h.post('/orders', orderBody(), { 'X-Correlation-Id': 'checkout-42' })
    const { events } = await json(await h.request('/events'))
    expect(events.every((e: any) => e.correlationId === 'checkout-42')).toBe(true)
  })

  it('never stores the card number or security code', async () => {
    h = await testHerald()
    await placeOrder(h)
    const dump = (await h.database.client.execute("SELECT group_concat(data, '') AS d FROM domain_events")).rows[0]!.d
    const rows = (await h.database.client.execute("SELECT group_concat(state, '') AS s FROM ordering_orders")).rows[0]!.s
    for (const text of [String(dump), String(rows)]) {
      expect(text).not.toContain('4111111111111111')
      expect(text).not.toContain('"securityNumber"')
    }
  })
})

describe('in-transaction handlers', () => {
  it('a throwing handler rolls back everything: no order, no events, no outbox row', async () => {
    h = await testHerald()
    // BuyerRegistered (earlier in the cascade) has already staged an integration event by now.
    h.dispatcher.on(
      'OrderBuyerAssigned',
      function explodeWhenBuyerAssigned() {
        throw new Error('boom')
      },
      { name: 'explodeWhenBuyerAssigned' },
    )
    const before = await tableCounts(h.database)
    const response = await h.post('/orders', orderBody())
    expect(response.status).toBe(500)
    expect(response.headers.get('Content-Type')).toContain('application/problem+json')
    expect((await json(response)).detail).not.toContain('boom')
    expect(await tableCounts(h.database)).toEqual(before)
    expect(before.ordering_orders).toBe(0)
  })

  it("an integration event that breaks its contract is the producer's bug: 500, a log line naming it, nothing written", async () => {
    h = await testHerald()
    h.dispatcher.on(
      'OrderStarted',
      function publishBrokenEvent(event: DomainEvent, ctx: HandlerContext) {
        ctx.publish({ source: 'ordering', type: 'OrderShipped', version: 1, subject: event.aggregateId, data: { orderId: 1 } })
      },
      { name: 'publishBrokenEvent' },
    )
    const logged = await capturedErrors(async () => {
      const response = await h.post('/orders', orderBody())
      expect(response.status).toBe(500)
      expect(((await response.json()) as { code: string }).code).toBe('INTERNAL')
    })
    expect(logged).toContain('PublishedContractError: ordering published an invalid herald.ordering.OrderShipped.v1')
    expect((await tableCounts(h.database)).domain_events).toBe(0)
  })

  it('publishing a contract no context lists in `publishes` is refused the same way', async () => {
    h = await testHerald()
    h.dispatcher.on(
      'OrderStarted',
      function publishUndeclared(event: DomainEvent, ctx: HandlerContext) {
        ctx.publish({ source: 'ordering', type: 'OrderRefunded', version: 1, subject: event.aggregateId, data: { orderId: event.aggregateId } })
      },
      { name: 'publishUndeclared' },
    )
    const logged = await capturedErrors(async () => expect((await h.post('/orders', orderBody())).status).toBe(500))
    expect(logged).toContain('ordering published herald.ordering.OrderRefunded.v1, which no context here lists in `publishes`')
    expect((await tableCounts(h.database)).domain_events).toBe(0)
  })

  it('runs every handler of an event, in registration order; a third joins without touching the others', async () => {
    h = await testHerald()
    const calls: string[] = []
    h.dispatcher.on(
      'OrderStarted',
      function first() {
        calls.push('first')
      },
      { name: 'first' },
    )
    h.dispatcher.on(
      'OrderStarted',
      async function second() {
        await Promise.resolve()
        calls.push('second')
      },
      { name: 'second' },
    )
    await placeOrder(h)
    expect(calls).toEqual(['first', 'second'])

    // Registered here, in the test: no aggregate, route or other handler file changes.
    h.dispatcher.on(
      'OrderStarted',
      function third() {
        calls.push('third')
      },
      { name: 'third' },
    )
    await placeOrder(h)
    expect(calls).toEqual(['first', 'second', 'first', 'second', 'third'])
  })

  it('commits a cascade in one batch', async () => {
    h = await testHerald()
    await placeOrder(h)
    expect(h.batches).toHaveLength(1)
    const [batch] = h.batches
    const inserted = batch!.map((s) => s.sql.match(/^(INSERT INTO|UPDATE) (\w+)/)?.[2])
    expect(inserted.filter((t) => t === 'domain_events')).toHaveLength(4)
    expect(inserted).toContain('ordering_orders')
    expect(inserted).toContain('ordering_buyers')
  })

  it('fails a cascade deeper than the limit cleanly, naming the chain, with nothing written', async () => {
    h = await testHerald({ maxDepth: 1 })
    const response = await h.post('/orders', orderBody())
    expect(response.status).toBe(422)
    const body = await json(response)
    expect(body.code).toBe('DISPATCH.CASCADE_TOO_DEEP')
    expect(body.detail).toContain('OrderStarted → BuyerAndPaymentMethodVerified → OrderBuyerAssigned')
    expect((await tableCounts(h.database)).domain_events).toBe(0)
  })

  it('records after-commit handlers durably in the outbox, in the same commit, without running them', async () => {
    h = await testHerald()
    let ran = false
    h.dispatcher.on(
      'OrderStarted',
      function emailWhenOrderStarted() {
        ran = true
      },
      { name: 'emailWhenOrderStarted', phase: 'after-commit' },
    )
    await placeOrder(h)
    expect(ran).toBe(false)
    const { rows } = await h.database.client.execute("SELECT kind, topic, status FROM outbox WHERE kind = 'after-commit' ORDER BY topic")
    expect(rows.map((r) => [r.kind, r.topic, r.status])).toEqual([
      ['after-commit', 'handler:emailWhenOrderStarted', 'pending'],
      ['after-commit', 'handler:markAwaitingValidationWhenGracePeriodEnds', 'pending'],
    ])
    expect(h.batches).toHaveLength(1)
  })
})

describe('Idempotency-Key', () => {
  it('replays the first response for the same key and body', async () => {
    h = await testHerald()
    const first = await h.post('/orders', orderBody(), { 'Idempotency-Key': 'k-1' })
    const again = await h.post('/orders', orderBody(), { 'Idempotency-Key': 'k-1' })
    expect(first.status).toBe(201)
    expect(again.status).toBe(201)
    expect(await json(again)).toEqual(await json(first))
    expect(again.headers.get('Idempotent-Replayed')).toBe('true')
    expect((await tableCounts(h.database)).ordering_orders).toBe(1)
  })

  it('treats the same body with keys in another order as the same request', async () => {
    h = await testHerald()
    const body = orderBody()
    const reordered = Object.fromEntries(Object.entries(body).reverse())
    expect((await h.post('/orders', body, { 'Idempotency-Key': 'k' })).status).toBe(201)
    expect((await h.post('/orders', reordered, { 'Idempotency-Key': 'k' })).status).toBe(201)
    expect((await tableCounts(h.database)).ordering_orders).toBe(1)
  })

  it('refuses the same key with a different body (422) and writes nothing', async () => {
    h = await testHerald()
    await h.post('/orders', orderBody(), { 'Idempotency-Key': 'k-2' })
    const before = await tableCounts(h.database)
    const other = orderBody({ buyer: { id: 'bob', name: 'Bob', email: 'bob@example.com' } })
    const response = await h.post('/orders', other, { 'Idempotency-Key': 'k-2' })
    expect(response.status).toBe(422)
    expect((await json(response)).code).toBe('IDEMPOTENCY.KEY_REUSED')
    expect(await tableCounts(h.database)).toEqual(before)
  })

  it('runs racing requests with one key once', async () => {
    h = await testHerald()
    const responses = await Promise.all(Array.from({ length: 10 }, () => h.post('/orders', orderBody(), { 'Idempotency-Key': 'race' })))
    const bodies = await Promise.all(responses.map(json))
    expect(responses.map((r) => r.status)).toEqual(Array(10).fill(201))
    expect(new Set(bodies.map((b) => b.orderId)).size).toBe(1)
    expect((await tableCounts(h.database)).ordering_orders).toBe(1)
  })
})

describe('transitions over HTTP', () => {
  it('cancels a submitted order and refuses to ship it (409 problem)', async () => {
    h = await testHerald()
    const orderId = await placeOrder(h)
    const ship = await h.post(`/orders/${orderId}/ship`)
    expect(ship.status).toBe(409)
    expect(await json(ship)).toMatchObject({ code: 'ORDER.INVALID_TRANSITION', status: 409 })
    const cancel = await h.post(`/orders/${orderId}/cancel`)
    expect(cancel.status).toBe(200)
    expect(await json(cancel)).toMatchObject({ status: 'cancelled', version: 3 })
    expect((await h.post(`/orders/${orderId}/cancel`)).status).toBe(409)
  })

  it('answers 404 problem for an unknown order', async () => {
    h = await testHerald()
    for (const path of ['/orders/nope', '/orders/nope/events']) {
      const response = await h.request(path)
      expect(response.status).toBe(404)
      expect((await json(response)).code).toBe('ORDER.NOT_FOUND')
    }
    expect((await h.post('/orders/nope/cancel')).status).toBe(404)
  })

  it('ships a paid order', async () => {
    h = await testHerald()
    const orderId = await placeOrder(h)
    await advance(h, orderId, 'awaitValidation', 'confirmStock', 'pay')
    const response = await h.post(`/orders/${orderId}/ship`)
    expect(await json(response)).toMatchObject({ status: 'shipped' })
    expect((await h.post(`/orders/${orderId}/cancel`)).status).toBe(409)
  })
})

describe('queries', () => {
  it("lists a buyer's orders, newest first", async () => {
    h = await testHerald()
    const a1 = await placeOrder(h)
    await placeOrder(h, orderBody({ buyer: { id: 'bob', name: 'Bob', email: 'bob@example.com' } }))
    const a2 = await placeOrder(h)
    const list = (await json(await h.request('/orders?buyerId=alice'))) as unknown as any[]
    expect(list.map((o) => o.orderId)).toEqual([a2, a1])
    expect(((await json(await h.request('/orders'))) as unknown as any[]).length).toBe(3)
  })

  it('pages the event store by global position and filters by type and time', async () => {
    h = await testHerald()
    await placeOrder(h)
    await placeOrder(h)
    const page1 = await json(await h.request('/events?limit=5'))
    expect(page1.events).toHaveLength(5)
    const page2 = await json(await h.request(`/events?limit=5&after=${page1.next}`))
    expect(page2.events.map((e: any) => e.position)).toEqual([6, 7])
    expect(page2.next).toBeNull()
    const started = await json(await h.request('/events?type=OrderStarted'))
    expect(started.events).toHaveLength(2)
    const late = await json(await h.request(`/events?from=${encodeURIComponent(started.events[1].occurredAt)}`))
    expect(late.events[0].id).toBe(started.events[1].id)
    const bad = await h.request('/events?after=-1')
    expect(bad.status).toBe(400)
  })

  it('answers GET /health and serves an OpenAPI document and docs page', async () => {
    h = await testHerald()
    expect(await json(await h.request('/health'))).toEqual({ status: 'ok' })
    const doc = await json(await h.request('/openapi.json'))
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/orders', '/orders/{id}', '/orders/{id}/cancel', '/events']))
    expect((await h.request('/docs')).headers.get('Content-Type')).toContain('text/html')
  })
})

/** What `console.error` printed while `work` ran (the problem handler logs unexpected errors there). */
async function capturedErrors(work: () => Promise<void>): Promise<string> {
  const lines: string[] = []
  const original = console.error
  console.error = (...args: unknown[]) => void lines.push(args.map(String).join(' '))
  try {
    await work()
  } finally {
    console.error = original
  }
  return lines.join('\n')
}
