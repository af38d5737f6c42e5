import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import fc from 'fast-check'
import { tableCounts } from '../support/database.ts'
import { orderBody, placeOrder, type TestHerald, testHerald } from '../support/herald.ts'

// Property-based fuzzing of every route's body, query and headers (fixed seed: reproducible).
// Properties: never a 5xx; every refused request is problem+json and changes nothing.

let h: TestHerald
let orderId: string
const runs = { numRuns: 150, seed: 20261121 }

beforeAll(async () => {
  h = await testHerald({ config: { adminToken: 'fuzz-admin' } })
  orderId = await placeOrder(h)
})
afterAll(() => {
  console.log(
    `fuzz: ${figures.requests.toLocaleString('en-US')} hostile requests, ${figures.refused.toLocaleString('en-US')} refused, 0 server errors, 0 refused requests that changed state`,
  )
  h.dispose()
})

const figures = { requests: 0, refused: 0 }

async function refusedWithoutChange(send: () => Response | Promise<Response>): Promise<void> {
  const before = await tableCounts(h.database)
  const response = await send()
  figures.requests++
  expect(response.status).toBeLessThan(500)
  if (response.status >= 400) {
    figures.refused++
    expect(response.headers.get('Content-Type')).toContain('application/problem+json')
    expect(await tableCounts(h.database)).toEqual(before)
  }
}

/** JSON that looks like an order with random holes, wrong types and odd values. */
const mutatedOrder = fc
  .tuple(
    fc.constantFrom('buyer', 'address', 'card', 'items', 'items.0', 'items.0.units', 'items.0.unitPrice', 'card.number', 'buyer.email'),
    fc.oneof(fc.jsonValue(), fc.string(), fc.double(), fc.integer(), fc.constant(null), fc.constant(undefined), fc.array(fc.anything())),
  )
  .map(([path, value]) => {
    const body: any = structuredClone(orderBody())
    const keys = path.split('.')
    let target = body
    for (const key of keys.slice(0, -1)) target = target[key]
    target[keys.at(-1)!] = value
    return body
  })

const headerText = fc.string({ unit: fc.constantFrom(...'abcXYZ019-_.:~!*/ '.split('')), maxLength: 300 })

describe('fuzzing', () => {
  it('POST /orders with arbitrary JSON bodies', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), async (body) => {
        await refusedWithoutChange(() => h.post('/orders', JSON.stringify(body)))
      }),
      runs,
    )
  })

  it('POST /orders with near-valid bodies (one field mutated)', async () => {
    await fc.assert(
      fc.asyncProperty(mutatedOrder, async (body) => {
        const response = await h.post('/orders', JSON.stringify(body))
        expect(response.status).toBeLessThan(500)
      }),
      runs,
    )
  })

  it('POST /orders with arbitrary bytes and content types', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 2048 }),
        fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data', ''),
        async (bytes, type) => {
          await refusedWithoutChange(() => h.request('/orders', { method: 'POST', headers: type ? { 'Content-Type': type } : {}, body: bytes }))
        },
      ),
      runs,
    )
  })

  it('POST /orders with arbitrary Idempotency-Key and X-Correlation-Id headers', async () => {
    await fc.assert(
      fc.asyncProperty(headerText, headerText, async (key, correlation) => {
        const response = await h.post('/orders', orderBody(), { 'Idempotency-Key': key, 'X-Correlation-Id': correlation })
        expect(response.status).toBeLessThan(500)
        // Fetch trims header values; what is left must be a valid key (or nothing) for a 201.
        if (response.status === 201) expect(/^[\x21-\x7e]{1,255}$/.test(key.trim()) || key.trim() === '').toBe(true)
      }),
      { ...runs, numRuns: 60 },
    )
  })

  it('order routes with arbitrary ids and query strings', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 200 }),
        fc.dictionary(fc.constantFrom('buyerId', 'limit', 'aggregateType', 'aggregateId', 'type', 'from', 'to', 'after'), fc.string({ maxLength: 50 })),
        async (id, query) => {
          const path = encodeURIComponent(id) || 'x'
          const qs = new URLSearchParams(query).toString()
          for (const send of [
            () => h.request(`/orders/${path}`),
            () => h.request(`/orders/${path}/events`),
            () => h.post(`/orders/${path}/cancel`),
            () => h.request(`/orders?${qs}`),
            () => h.request(`/events?${qs}`),
            () => h.request(`/notifications?${qs}`),
          ]) {
            await refusedWithoutChange(send)
          }
        },
      ),
      { ...runs, numRuns: 80 },
    )
  })

  it('subscriber and admin routes with arbitrary signatures, tokens and bodies', async () => {
    await fc.assert(
      fc.asyncProperty(
        headerText,
        fc.string({ maxLength: 500 }),
        fc.constantFrom('ordering', 'catalog', 'payment', 'notifications', 'nobody'),
        async (token, body, context) => {
          await refusedWithoutChange(() =>
            h.request(`/subscribers/${context}`, {
              method: 'POST',
              headers: { 'Upstash-Signature': token, 'Content-Type': 'application/cloudevents+json' },
              body,
            }),
          )
          const admin = await h.request('/admin/outbox', { headers: { Authorization: `Bearer ${token}` } })
          expect(admin.status).toBe(401)
        },
      ),
      runs,
    )
  })

  it('keeps the seeded order intact through all of it', async () => {
    const order = (await (await h.request(`/orders/${orderId}`)).json()) as { status: string }
    expect(order.status).toBe('submitted')
  })
})
