import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { launchChromium } from '../browser/support.ts'
import { orderBody } from '../support/herald.ts'
import { type ProductionService, startProductionService } from './production-service.ts'

/* Response headers of a production service (its own process, real JWTs, the local broker standing in for QStash). */

let service: ProductionService
let orderId: string
beforeAll(async () => {
  service = await startProductionService()
  const created = await fetch(`${service.baseUrl}/orders`, { method: 'POST', headers: await service.buyerHeaders('alice'), body: JSON.stringify(orderBody()) })
  orderId = ((await created.json()) as { orderId: string }).orderId
}, 60_000)
afterAll(() => service?.stop())

/** Answers the headers and drops the body (the dashboard's stream never ends). */
const headersOf = async (path: string, init: RequestInit = {}) => {
  const response = await fetch(`${service.baseUrl}${path}`, init)
  await response.body?.cancel()
  return { status: response.status, headers: response.headers }
}

describe('every response', () => {
  it('is nosniff and no-store: personal data, problems, 404s and public pages alike', async () => {
    const buyer = await service.buyerHeaders('alice')
    const admin = service.adminHeaders
    const cases: [string, RequestInit][] = [
      ['/health', {}],
      ['/nowhere', {}],
      ['/orders', {}], // 401: no token
      [`/orders/${orderId}`, { headers: buyer }],
      ['/orders?buyerId=alice', { headers: buyer }],
      [`/orders/${orderId}/events`, { headers: buyer }],
      ['/notifications?buyerId=alice', { headers: buyer }],
      ['/orders', { method: 'POST', headers: buyer, body: '{"card":' }],
      ['/events', { headers: admin }],
      ['/dashboard/api/orders', { headers: admin }],
      [`/dashboard/api/orders/${orderId}/timeline`, { headers: admin }],
      ['/dashboard/api/stream', { headers: { ...admin, Accept: 'text/event-stream' } }],
      ['/admin/outbox', { headers: admin }],
      ['/metrics', { headers: admin }],
      ['/subscribers/ordering', { method: 'POST', body: '{}' }],
      ['/docs', {}],
      ['/', {}],
    ]
    for (const [path, init] of cases) {
      const { status, headers } = await headersOf(path, init)
      expect(status, path).toBeLessThan(500)
      expect(headers.get('X-Content-Type-Options'), path).toBe('nosniff')
      expect(headers.get('Cache-Control'), path).toBe('no-store')
    }
  })
})

describe('/docs', () => {
  it('runs only its own script and style, under a per-response nonce', async () => {
    const response = await fetch(`${service.baseUrl}/docs`)
    const csp = response.headers.get('Content-Security-Policy') ?? ''
    const page = await response.text()
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1]
    expect(nonce).toBeDefined()
    expect(csp).toContain("default-src 'none'")
    expect(csp).toContain("frame-ancestors 'none'")
    expect(csp).not.toContain('unsafe-inline')
    expect(page).toContain(`<script nonce="${nonce}">`)
    expect(page).toContain(`<style nonce="${nonce}">`)
    const again = (await fetch(`${service.baseUrl}/docs`)).headers.get('Content-Security-Policy')
    expect(again).not.toBe(csp)
  })

  it('still renders its operations in a browser under that policy, with no violation reported', async () => {
    const browser = await launchChromium()
    try {
      const page = await browser.newPage()
      const violations: string[] = []
      page.on('console', (message) => {
        if (/content security policy/i.test(message.text())) violations.push(message.text())
      })
      await page.goto(`${service.baseUrl}/docs`)
      await page.locator('#ops section.op').first().waitFor({ timeout: 15_000 })
      expect(await page.locator('#ops section.op').count()).toBeGreaterThan(5)
      expect(await page.evaluate(() => getComputedStyle(document.body).maxWidth)).toBe('960px') // the nonce'd style applied
      expect(violations).toEqual([])
    } finally {
      await browser.close()
    }
  }, 60_000)
})
