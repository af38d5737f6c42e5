import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { toStructuredCloudEvent } from '../../src/platform/messaging/cloud-events.ts'
import { signDelivery } from '../support/qstash-signature.ts'
import { PRIVATE_QSTASH } from '../runtime/support.ts'
import { buyerRegistered, type ProductionService, startProductionService } from './production-service.ts'

/*
 * Signed deliveries to a production service (its own process, the local broker's private keys):
 * QStash's signature covers the URL and the body, so only what is in the body is trusted.
 */

let service: ProductionService
beforeAll(async () => {
  service = await startProductionService()
}, 60_000)
afterAll(() => service?.stop())

const url = () => `${service.baseUrl}/subscribers/notifications`
/** A structured CloudEvent's JSON, changed by `edit`. */
const structured = (edit: (envelope: Record<string, unknown>) => void = () => undefined) => {
  const envelope = JSON.parse(toStructuredCloudEvent(buyerRegistered(crypto.randomUUID()), service.baseUrl)) as Record<string, unknown>
  edit(envelope)
  return JSON.stringify(envelope)
}
const deliver = async (body: string, headers: Record<string, string> = { 'Content-Type': 'application/cloudevents+json' }) => {
  const signature = await signDelivery({ key: PRIVATE_QSTASH.currentSigningKey, url: url(), body })
  return fetch(url(), { method: 'POST', headers: { ...headers, 'Upstash-Signature': signature }, body })
}
const handled = async () => Number((await service.sql("SELECT COUNT(*) AS n FROM inbox WHERE subscriber LIKE 'notifications%'"))[0]?.n)

describe('a signed delivery', () => {
  it('is handled when it is a structured CloudEvents 1.0 event with an id', async () => {
    const before = await handled()
    const response = await deliver(structured())
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ status: 'processed' })
    expect(await handled()).toBe(before + 1)
  })

  it('is refused (4xx, non-retryable) and changes nothing without an id, with an empty one, or in another specversion', async () => {
    const before = await handled()
    const bodies = {
      'no id': structured((e) => delete e.id),
      'empty id': structured((e) => (e.id = '')),
      'blank id': structured((e) => (e.id = '  ')),
      'specversion 0.3': structured((e) => (e.specversion = '0.3')),
      'no specversion': structured((e) => delete e.specversion),
    }
    for (const [what, body] of Object.entries(bodies)) {
      // Twice: a made-up id would make each arrival a new event.
      for (const _ of [1, 2]) {
        const response = await deliver(body)
        expect(response.status, what).toBe(489)
        expect(response.headers.get('Upstash-NonRetryable-Error'), what).toBe('true')
        expect(((await response.json()) as { code: string }).code, what).toBe('CLOUDEVENT.INVALID')
      }
    }
    expect(await handled()).toBe(before)
  })

  it('in binary mode is refused: its ce-* headers are not covered by the signature', async () => {
    const before = await handled()
    const event = buyerRegistered(crypto.randomUUID())
    const body = JSON.stringify(event.data)
    for (const id of [event.id, crypto.randomUUID()]) {
      const response = await deliver(body, {
        'Content-Type': 'application/json',
        'ce-specversion': '1.0',
        'ce-id': id,
        'ce-source': '/herald/ordering',
        'ce-type': 'herald.ordering.BuyerRegistered.v2',
      })
      expect(response.status).toBe(489)
    }
    expect(await handled()).toBe(before)
  })

  it('keeps its body’s id whatever ce-* headers ride along: a re-sent body is a duplicate', async () => {
    const body = structured()
    expect(await (await deliver(body)).json()).toEqual({ status: 'processed' })
    const before = await handled()
    const again = await deliver(body, { 'Content-Type': 'application/cloudevents+json', 'ce-id': crypto.randomUUID(), 'ce-specversion': '1.0' })
    expect(await again.json()).toEqual({ status: 'duplicate' })
    expect(await handled()).toBe(before)
  })
})
