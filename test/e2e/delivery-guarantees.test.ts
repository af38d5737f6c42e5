import { afterEach, describe, expect, it } from 'bun:test'
import { BuyerRegisteredV2 } from '../../src/contracts/index.ts'
import type { IntegrationEvent } from '../../src/kernel/index.ts'
import { delivered } from '../support/deliveries.ts'
import { toStructuredCloudEvent } from '../../src/platform/messaging/cloud-events.ts'
import { qstashPublisher } from '../../src/platform/messaging/publisher.ts'
import { outboxRelay } from '../../src/platform/outbox/relay.ts'
import { orderBody } from '../support/herald.ts'
import { DEV_QSTASH } from '../../src/platform/messaging/qstash.ts'
import { tableCounts } from '../support/database.ts'
import { type Stack, startStack } from '../support/stack.ts'
import { signDelivery } from '../support/qstash-signature.ts'
import { waitFor } from '../support/wait-for.ts'

let stack: Stack
afterEach(async () => stack?.stop())

const buyerRegistered = (id = crypto.randomUUID()): IntegrationEvent =>
  delivered(
    BuyerRegisteredV2,
    id,
    'zoe',
    { buyerId: 'zoe', name: 'Zoe', email: 'zoe@example.com', channel: 'web' },
    { time: '2026-01-01T00:00:00.000Z', correlationId: 'c-1' },
  )

const deliveredTo = (path: string, status = 200) => stack.served.filter((r) => r.path === path && r.status === status).length

describe('subscriber deliveries', () => {
  it('has one effect when the same delivery arrives three times', async () => {
    stack = await startStack()
    const body = toStructuredCloudEvent(buyerRegistered(), stack.publicUrl)
    const url = `${stack.publicUrl}/subscribers/notifications`
    for (let i = 0; i < 3; i++) {
      await stack.qstash.publish({ url, body, headers: { 'Content-Type': 'application/cloudevents+json' } })
    }
    await waitFor(() => deliveredTo('/subscribers/notifications') >= 3, { what: 'three deliveries' })
    const mails = await stack.json<unknown[]>('/notifications?buyerId=zoe')
    expect(mails).toHaveLength(1)
  })

  it('accepts a v1 delivery of a versioned event and handles it upcast (channel "unknown")', async () => {
    stack = await startStack()
    const v1 = { ...buyerRegistered(), version: 1, data: { buyerId: 'zoe', name: 'Zoe', email: 'zoe@example.com' } }
    await stack.qstash.publish({
      url: `${stack.publicUrl}/subscribers/notifications`,
      body: toStructuredCloudEvent(v1, stack.publicUrl),
      headers: { 'Content-Type': 'application/cloudevents+json' },
    })
    const [mail] = await waitFor(async () => {
      const m = await stack.json<{ body: string }[]>('/notifications?buyerId=zoe')
      return m.length ? m : undefined
    })
    expect(mail!.body).toContain('via unknown')
  })

  it('sends binary-mode CloudEvents straight to the DLQ: the signature does not cover their ce-* headers', async () => {
    stack = await startStack()
    const event = buyerRegistered()
    await stack.qstash.publish({
      url: `${stack.publicUrl}/subscribers/notifications`,
      body: JSON.stringify(event.data),
      headers: {
        'Content-Type': 'application/json',
        'Upstash-Forward-ce-specversion': '1.0',
        'Upstash-Forward-ce-id': event.id,
        'Upstash-Forward-ce-source': '/herald/ordering',
        'Upstash-Forward-ce-type': 'herald.ordering.BuyerRegistered.v2',
      },
      retries: 3,
    })
    const dead = await waitFor(async () => {
      const list = await (await stack.admin('/admin/dead-letters')).json()
      return list.length === 1 ? list : undefined
    })
    expect(dead[0].responseStatus).toBe(489)
    expect(await stack.json<unknown[]>('/notifications?buyerId=zoe')).toEqual([])
  })

  it('sends invalid data straight to the DLQ (489, non-retryable), and unknown types too', async () => {
    stack = await startStack()
    const bad = { ...buyerRegistered(), data: { buyerId: 'zoe' } }
    const unknown = { ...buyerRegistered(), type: 'NoSuchEvent' }
    for (const event of [bad, unknown]) {
      await stack.qstash.publish({
        url: `${stack.publicUrl}/subscribers/notifications`,
        body: toStructuredCloudEvent(event, stack.publicUrl),
        headers: { 'Content-Type': 'application/cloudevents+json' },
        retries: 3,
      })
    }
    const dead = await waitFor(async () => {
      const list = await (await stack.admin('/admin/dead-letters')).json()
      return list.length === 2 ? list : undefined
    })
    expect(dead.map((d: any) => d.responseStatus)).toEqual([489, 489])
    expect(deliveredTo('/subscribers/notifications', 489)).toBe(2) // one attempt each: no retries
  })
})

describe('signatures', () => {
  const path = '/subscribers/notifications'
  it('refuses missing, forged, tampered, re-serialised, expired, early, mis-addressed, none and HS512 signatures', async () => {
    stack = await startStack()
    const url = `${stack.publicUrl}${path}`
    const body = toStructuredCloudEvent(buyerRegistered(), stack.publicUrl)
    const key = DEV_QSTASH.currentSigningKey
    const reserialised = JSON.stringify(JSON.parse(body), null, 2)
    const attacks: [string, string | undefined, string][] = [
      ['missing', undefined, body],
      ['forged key', await signDelivery({ key: 'sig_attacker', url, body }), body],
      ['tampered body', await signDelivery({ key, url, body }), body.replace('Zoe', 'Eve')],
      ['re-serialised body', await signDelivery({ key, url, body }), reserialised],
      ['expired', await signDelivery({ key, url, body, nowSeconds: Math.floor(Date.now() / 1000) - 3600 }), body],
      ['not yet valid', await signDelivery({ key, url, body, notBeforeOffset: 600 }), body],
      ['wrong URL', await signDelivery({ key, url: `${stack.publicUrl}/subscribers/catalog`, body }), body],
      ['wrong issuer', await signDelivery({ key, url, body, claims: { iss: 'Mallory' } }), body],
      ['alg none', (await signDelivery({ key, url, body, header: { alg: 'none', typ: 'JWT' } })).replace(/\.[^.]+$/, '.'), body],
      ['HS512 with the same key', await signDelivery({ key, url, body, header: { alg: 'HS512', typ: 'JWT' } }), body],
      ['garbage', 'not-a-jwt', body],
    ]
    const before = await tableCounts(stack.database)
    for (const [name, signature, sent] of attacks) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/cloudevents+json', ...(signature ? { 'Upstash-Signature': signature } : {}) },
        body: sent,
      })
      expect({ name, status: response.status }).toEqual({ name, status: 401 })
    }
    expect(await tableCounts(stack.database)).toEqual(before)
    console.log(`signatures: ${attacks.length} attacks, ${attacks.length} refused with 401, 0 changed state`)

    // The same body, properly signed with the *next* key (rotation), is accepted.
    const rotated = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/cloudevents+json', 'Upstash-Signature': await signDelivery({ key: DEV_QSTASH.nextSigningKey, url, body }) },
      body,
    })
    expect(rotated.status).toBe(200)
  })
})

describe('retries and dead letters', () => {
  it('processes a subscriber that fails twice, then succeeds, exactly once', async () => {
    stack = await startStack()
    let failures = 0
    stack.herald.dispatcher.on(
      'OrderStatusChangedToStockConfirmed',
      function flakyWhenStockConfirmed() {
        if (failures++ < 2) throw new Error('transient')
      },
      { name: 'flakyWhenStockConfirmed' },
    )
    const orderId = await stack.placeOrder()
    await stack.orderReaches(orderId, 'paid')
    expect(failures).toBe(3)
    const types = (await stack.json<{ type: string }[]>(`/orders/${orderId}/events`)).map((e) => e.type)
    expect(types.filter((t) => t === 'OrderStatusChangedToStockConfirmed')).toHaveLength(1)
    expect(deliveredTo('/subscribers/ordering', 500)).toBe(2)
  })

  it('dead-letters a poison message after its retries, and a retry after the fix succeeds', async () => {
    stack = await startStack({ retries: 1 })
    let fixed = false
    stack.herald.dispatcher.on(
      'OrderStatusChangedToStockConfirmed',
      function buggyWhenStockConfirmed() {
        if (!fixed) throw new Error('bug')
      },
      { name: 'buggyWhenStockConfirmed' },
    )
    const orderId = await stack.placeOrder()
    const [dead] = await waitFor(async () => {
      const list = await (await stack.admin('/admin/dead-letters')).json()
      return list.length ? list : undefined
    })
    expect(dead.url).toBe(`${stack.publicUrl}/subscribers/ordering`)
    expect((await stack.json(`/orders/${orderId}`)).status).toBe('awaiting_validation')

    fixed = true
    const retry = await stack.admin(`/admin/dead-letters/${dead.dlqId}/retry`, { method: 'POST' })
    expect(retry.status).toBe(200)
    await stack.orderReaches(orderId, 'paid')
    expect(await (await stack.admin('/admin/dead-letters')).json()).toEqual([])
  })
})

describe('outbox guarantees', () => {
  it('publishes nothing for a command whose handler throws', async () => {
    stack = await startStack()
    stack.herald.dispatcher.on(
      'OrderBuyerAssigned',
      function explodeWhenBuyerAssigned() {
        throw new Error('boom')
      },
      { name: 'explodeWhenBuyerAssigned' },
    )
    const response = await fetch(`${stack.publicUrl}/orders`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(orderBody()),
    })
    expect(response.status).toBe(500)
    expect((await tableCounts(stack.database)).outbox).toBe(0)
    expect(await stack.herald.relay!.sweep()).toEqual({ published: 0, failed: 0 })
    expect(stack.served.filter((r) => r.path.startsWith('/subscribers') || r.path.startsWith('/internal'))).toEqual([])
  })

  it('delivers an event committed while the broker was down once the sweep runs after it is back', async () => {
    stack = await startStack()
    await stack.stopBroker()
    const orderId = await stack.placeOrder()
    await waitFor(
      async () => {
        const { rows } = await stack.database.client.execute("SELECT COUNT(*) AS n FROM outbox WHERE attempts > 0 AND status = 'pending'")
        return Number(rows[0]!.n) > 0
      },
      { what: 'the immediate relay to fail' },
    )
    await stack.restartBroker()
    await waitFor(
      async () => {
        await stack.herald.relay!.sweep() // what the periodic sweep does
        return (await stack.json(`/orders/${orderId}`)).status === 'paid'
      },
      { what: 'the order to be paid after the broker came back' },
    )
  })

  it('loses nothing when the process dies between commit and publish', async () => {
    // Deferred relay that is never flushed: exactly what a process killed right after its commit leaves.
    stack = await startStack({ relayMode: 'deferred' })
    const orderId = await stack.placeOrder()
    expect((await stack.json(`/orders/${orderId}`)).status).toBe('submitted')
    const restarted = outboxRelay({
      database: stack.database,
      publisher: qstashPublisher(stack.qstash),
      publicUrl: stack.publicUrl,
      clock: () => new Date().toISOString(),
    })
    await waitFor(
      async () => {
        await restarted.sweep()
        return (await stack.json(`/orders/${orderId}`)).status === 'paid'
      },
      { what: 'the restarted relay to deliver everything' },
    )
  })

  it('lets another relay take over a row whose relay died mid-publish, once its lease expires', async () => {
    stack = await startStack({ relayMode: 'deferred' })
    await stack.placeOrder()
    const clock = () => new Date().toISOString()
    const hung = outboxRelay({
      database: stack.database,
      publisher: { publish: () => new Promise<string>(() => {}) },
      publicUrl: stack.publicUrl,
      clock,
      leaseMs: 300,
    })
    void hung.sweep() // claims the rows, then "dies" inside publish
    const claimed = await waitFor(
      async () => {
        const { rows } = await stack.database.client.execute('SELECT COUNT(*) AS n FROM outbox WHERE lease_until IS NOT NULL')
        return Number(rows[0]!.n)
      },
      { what: 'rows to be leased' },
    )
    const other = outboxRelay({ database: stack.database, publisher: qstashPublisher(stack.qstash), publicUrl: stack.publicUrl, clock })
    expect((await other.sweep()).published).toBe(0) // the lease still holds
    await waitFor(async () => (await other.sweep()).published >= claimed, { what: 'the lease to expire and the rows to be published' })
    const { rows } = await stack.database.client.execute("SELECT COUNT(*) AS n FROM outbox WHERE status = 'published' AND message_id IS NOT NULL")
    expect(Number(rows[0]!.n)).toBeGreaterThanOrEqual(claimed)
  })
})
