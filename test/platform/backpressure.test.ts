import { afterEach, describe, expect, it } from 'bun:test'
import { toStructuredCloudEvent } from '../../src/platform/messaging/cloud-events.ts'
import { DEV_QSTASH } from '../../src/platform/messaging/qstash.ts'
import { tableCounts } from '../support/database.ts'
import { orderBody } from '../support/herald.ts'
import { signDelivery } from '../support/qstash-signature.ts'
import { type Stack, startStack } from '../support/stack.ts'
import { waitFor } from '../support/wait-for.ts'

// The outbox's bound (commands get 503 past it) over real HTTP: the broker is stopped so nothing drains,
// commands pile rows up until the bound, then the next one is refused at the door; a delivery is
// still taken; the broker comes back, the relay drains, and commands are accepted again.

const LIMIT = 2
let stack: Stack | undefined
afterEach(async () => {
  await stack?.stop()
  stack = undefined
})

const postOrder = (s: Stack, buyer: string, headers: Record<string, string> = {}) =>
  fetch(`${s.publicUrl}/orders`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(orderBody({ buyer: { id: buyer, name: 'Buyer', email: `${buyer}@example.com` } })),
  })

const pendingRows = async (s: Stack) => Number((await s.database.client.execute("SELECT COUNT(*) AS n FROM outbox WHERE status = 'pending'")).rows[0]?.n)

/** A BuyerRegistered v2 delivery to the notifications subscriber, signed as the broker would sign it. */
async function signedDelivery(s: Stack) {
  const path = '/subscribers/notifications'
  const body = toStructuredCloudEvent(
    {
      id: crypto.randomUUID(),
      source: 'ordering',
      type: 'BuyerRegistered',
      version: 2,
      subject: 'delivered-buyer',
      time: new Date().toISOString(),
      data: { buyerId: 'delivered-buyer', name: 'Delivered', email: 'delivered@example.com', channel: 'api' },
      correlationId: crypto.randomUUID(),
      causationId: null,
      sequence: 1,
    },
    s.publicUrl,
  )
  const signature = await signDelivery({ key: DEV_QSTASH.currentSigningKey, url: `${s.publicUrl}${path}`, body })
  return fetch(`${s.publicUrl}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/cloudevents+json', 'Upstash-Signature': signature }, body })
}

describe('Backpressure on the outbox', () => {
  describe('when more rows are pending than OUTBOX_MAX_PENDING', () => {
    it('refuses commands with 503 and Retry-After, writing nothing, keeps taking deliveries, and accepts commands again once drained', async () => {
      const s = await startStack({ herald: { config: { outboxMaxPending: LIMIT } } })
      stack = s
      await s.stopBroker()

      let accepted = 0
      while ((await pendingRows(s)) <= LIMIT) {
        const response = await postOrder(s, `before-${accepted}`)
        expect(response.status).toBe(201)
        accepted++
      }
      expect(accepted).toBeGreaterThan(0)

      const before = await tableCounts(s.database)
      const refused = await postOrder(s, 'one-too-many', { 'Idempotency-Key': 'past-the-bound' })
      expect(refused.status).toBe(503)
      expect(refused.headers.get('Content-Type')).toStartWith('application/problem+json')
      expect(Number(refused.headers.get('Retry-After'))).toBeGreaterThan(0)
      expect(((await refused.json()) as { code: string }).code).toBe('BACKPRESSURE.OUTBOX_FULL')
      expect(await tableCounts(s.database)).toEqual(before)
      // Other commands too, not only POST /orders.
      const cancel = await fetch(`${s.publicUrl}/orders/any-order/cancel`, { method: 'POST' })
      expect(cancel.status).toBe(503)

      const delivery = await signedDelivery(s)
      expect(delivery.status).toBe(200)
      expect(((await delivery.json()) as { status: string }).status).toBe('processed')

      await s.restartBroker()
      await waitFor(
        async () => {
          await s.herald.relay!.sweep()
          return (await pendingRows(s)) <= LIMIT ? true : undefined
        },
        { timeoutMs: 15_000, what: 'the relay to drain the outbox' },
      )
      const again = await waitFor(
        async () => {
          const response = await postOrder(s, 'after-drain')
          return response.status === 201 ? response : undefined
        },
        { timeoutMs: 5_000, what: 'a command to be accepted after the drain' },
      )
      expect(again.status).toBe(201)
    })
  })
})
