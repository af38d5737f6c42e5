import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { toStructuredCloudEvent } from '../../src/platform/messaging/cloud-events.ts'
import { signDelivery } from '../support/qstash-signature.ts'
import { PRIVATE_QSTASH } from '../runtime/support.ts'
import { buyerRegistered, type ProductionService, startProductionService } from './production-service.ts'

/*
 * `/metrics` of a production service (its own process, real JWTs, the local broker's private
 * keys): every label value is a name the service knows, so no request can mint a series.
 */

let service: ProductionService
beforeAll(async () => {
  service = await startProductionService()
}, 60_000)
afterAll(() => service?.stop())

/** A delivery signed for exactly this path, as QStash would sign one published to it. */
const deliver = async (path: string, body: string) => {
  const url = `${service.baseUrl}${path}`
  const signature = await signDelivery({ key: PRIVATE_QSTASH.currentSigningKey, url, body })
  return fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/cloudevents+json', 'Upstash-Signature': signature }, body })
}
const metrics = async () => (await fetch(`${service.baseUrl}/metrics`, { headers: service.adminHeaders })).text()

describe('metric labels', () => {
  it('name only contexts and handlers the service runs: other delivery paths and 404s mint no series', async () => {
    const body = toStructuredCloudEvent(buyerRegistered(), service.baseUrl)
    expect((await deliver('/subscribers/notifications', body)).status).toBe(200)
    for (const path of ['/subscribers/zzz-made-up-context', '/subscribers/zzz-another-one', '/internal/handlers/zzz-made-up-handler']) {
      expect((await deliver(path, body)).status, path).toBe(489)
    }
    for (const path of ['/zzz-no-such-route', '/orders/zzz-no-such-order/zzz']) {
      expect((await fetch(`${service.baseUrl}${path}`, { headers: service.adminHeaders })).status, path).toBe(404)
      await fetch(`${service.baseUrl}${path}`)
    }

    const scraped = await metrics()
    expect(scraped).toContain('target="notifications"')
    expect(scraped).toContain('target="(unknown)"')
    expect(scraped).not.toContain('zzz')
  })
})
