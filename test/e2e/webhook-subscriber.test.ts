import { afterEach, describe, expect, it } from 'bun:test'
import { webhookApp } from '../../examples/webhook-subscriber/app.ts'
import { DEV_QSTASH } from '../../src/platform/messaging/qstash.ts'
import { type Stack, startStack } from '../support/stack.ts'
import { waitFor } from '../support/wait-for.ts'

let stack: Stack
let server: ReturnType<typeof Bun.serve> | undefined
afterEach(async () => {
  server?.stop(true)
  await stack?.stop()
})

describe('a third-party webhook subscriber', () => {
  it('is subscribed through the admin API and receives a real order’s events, verified and deduped', async () => {
    stack = await startStack()
    let handle: (request: Request) => Response | Promise<Response> = () => new Response(null, { status: 503 })
    server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: (request) => handle(request) })
    const url = `http://127.0.0.1:${server.port}`
    const webhook = webhookApp({ ...DEV_QSTASH, publicUrl: url, log: () => {} })
    handle = webhook.app.fetch

    for (const eventType of ['herald.ordering.OrderStatusChangedToPaid.v1', 'herald.ordering.OrderShipped.v1']) {
      const response = await stack.admin('/admin/subscriptions', {
        method: 'POST',
        body: JSON.stringify({ eventType, name: 'acme-shop', url: `${url}/events` }),
      })
      expect(response.status).toBe(201)
    }
    const listed = await (await stack.admin('/admin/subscriptions')).json()
    const paidGroup = listed.find((g: any) => g.eventType === 'herald.ordering.OrderStatusChangedToPaid.v1')
    expect(paidGroup.endpoints.map((e: any) => e.url)).toEqual(expect.arrayContaining([`${url}/events`, `${stack.publicUrl}/subscribers/catalog`]))

    const orderId = await stack.placeOrder()
    await stack.orderReaches(orderId, 'paid')
    await fetch(`${stack.publicUrl}/orders/${orderId}/ship`, { method: 'POST' })
    const received = await waitFor(() => (webhook.received.length >= 2 ? webhook.received : undefined), { what: 'webhook deliveries' })
    expect(received.map((e) => [e.type, e.subject])).toEqual([
      ['herald.ordering.OrderStatusChangedToPaid.v1', orderId],
      ['herald.ordering.OrderShipped.v1', orderId],
    ])
    expect(received[0]!.data).toMatchObject({ orderId, buyerId: 'alice', totalCents: 4000 })

    const removed = await stack.admin('/admin/subscriptions/herald.ordering.OrderShipped.v1/external-acme-shop', { method: 'DELETE' })
    expect(removed.status).toBe(204)
  })

  it('refuses admin requests without the right token', async () => {
    stack = await startStack()
    for (const headers of [{}, { Authorization: 'Bearer wrong' }, { Authorization: 'Basic abc' }] as Record<string, string>[]) {
      const response = await fetch(`${stack.publicUrl}/admin/outbox`, { headers })
      expect(response.status).toBe(401)
      expect(response.headers.get('Content-Type')).toContain('application/problem+json')
    }
  })
})
