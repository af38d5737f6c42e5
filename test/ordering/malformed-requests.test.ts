import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { tableCounts } from '../support/database.ts'
import { orderBody, placeOrder, type TestHerald, testHerald } from '../support/herald.ts'

type Body = ReturnType<typeof orderBody>
const base = orderBody()
const item = base.items[0]!

/** Each case: a name and the raw body (string = sent verbatim). */
const cases: [string, unknown][] = [
  ['empty string', ''],
  ['not JSON', 'hello'],
  ['truncated JSON', '{"buyer":'],
  ['JSON null', 'null'],
  ['JSON array', '[]'],
  ['JSON number', '42'],
  ['JSON string', '"order"'],
  ['empty object', {}],
  ['trailing comma', '{"buyer":{},}'],
  ['unknown top-level field', { ...base, admin: true }],
  ['missing buyer', { ...base, buyer: undefined }],
  ['missing address', { ...base, address: undefined }],
  ['missing card', { ...base, card: undefined }],
  ['missing items', { ...base, items: undefined }],
  ['buyer is a string', { ...base, buyer: 'alice' }],
  ['buyer id empty', { ...base, buyer: { ...base.buyer, id: '' } }],
  ['buyer id whitespace', { ...base, buyer: { ...base.buyer, id: '   ' } }],
  ['buyer id too long', { ...base, buyer: { ...base.buyer, id: 'x'.repeat(101) } }],
  ['buyer id number', { ...base, buyer: { ...base.buyer, id: 7 } }],
  ['buyer name missing', { ...base, buyer: { id: 'a', email: 'a@example.com' } }],
  ['email invalid', { ...base, buyer: { ...base.buyer, email: 'not-an-email' } }],
  ['email unicode garbage', { ...base, buyer: { ...base.buyer, email: '💥@@' } }],
  ['address street missing', { ...base, address: { ...base.address, street: undefined } }],
  ['address zip too long', { ...base, address: { ...base.address, zipCode: '9'.repeat(21) } }],
  ['address is array', { ...base, address: [] }],
  ['address extra field', { ...base, address: { ...base.address, planet: 'Mars' } }],
  ['card number letters', { ...base, card: { ...base.card, number: '4111abcd11111111' } }],
  ['card number too short', { ...base, card: { ...base.card, number: '4111' } }],
  ['card number as number', { ...base, card: { ...base.card, number: 4111111111111111 } }],
  ['card expiration bad month', { ...base, card: { ...base.card, expiration: '13/30' } }],
  ['card expiration ISO', { ...base, card: { ...base.card, expiration: '2030-12' } }],
  ['card security too long', { ...base, card: { ...base.card, securityNumber: '12345' } }],
  ['card typeId zero', { ...base, card: { ...base.card, typeId: 0 } }],
  ['card typeId fractional', { ...base, card: { ...base.card, typeId: 1.5 } }],
  ['card typeId string', { ...base, card: { ...base.card, typeId: '2' } }],
  ['items empty', { ...base, items: [] }],
  ['items not array', { ...base, items: item }],
  ['items too many', { ...base, items: Array(101).fill(item) }],
  ['item null', { ...base, items: [null] }],
  ['units zero', { ...base, items: [{ ...item, units: 0 }] }],
  ['units negative', { ...base, items: [{ ...item, units: -3 }] }],
  ['units fractional', { ...base, items: [{ ...item, units: 1.5 }] }],
  ['units huge', { ...base, items: [{ ...item, units: 1e12 }] }],
  ['units string', { ...base, items: [{ ...item, units: '2' }] }],
  ['unitPrice zero', { ...base, items: [{ ...item, unitPrice: 0 }] }],
  ['unitPrice negative', { ...base, items: [{ ...item, unitPrice: -1 }] }],
  ['unitPrice three decimals', { ...base, items: [{ ...item, unitPrice: 1.234 }] }],
  ['unitPrice huge', { ...base, items: [{ ...item, unitPrice: 1e300 }] }],
  ['unitPrice NaN via string', '{"unitPrice": NaN}'],
  ['discount negative', { ...base, items: [{ ...item, discount: -1 }] }],
  ['productId empty', { ...base, items: [{ ...item, productId: '' }] }],
  ['productName too long', { ...base, items: [{ ...item, productName: 'ü'.repeat(201) }] }],
  ['item extra field', { ...base, items: [{ ...item, sku: 'x' }] }],
  ['nested prototype pollution', JSON.parse('{"__proto__":{"admin":true}}')],
  ['deeply nested junk', JSON.parse(`${'{"a":'.repeat(200)}1${'}'.repeat(200)}`)],
  ['unicode control chars in JSON', '{"buyer":\u0000}'],
  ['discount above line total', { ...base, items: [{ ...item, discount: 1000 }] }],
  ['expired card', { ...base, card: { ...base.card, expiration: '01/20' } }],
]

let h: TestHerald
let before: Record<string, number>

beforeAll(async () => {
  h = await testHerald()
  await placeOrder(h) // the database is not empty, so "unchanged" means something
  before = await tableCounts(h.database)
})
afterAll(() => h.dispose())

describe('POST /orders with a malformed body', () => {
  it(`has at least 50 cases (${cases.length})`, () => {
    expect(cases.length).toBeGreaterThanOrEqual(50)
  })

  for (const [name, body] of cases) {
    it(`refuses ${name} with a 4xx problem and writes nothing`, async () => {
      const response = await h.post('/orders', typeof body === 'string' ? body : JSON.stringify(body))
      expect(response.status).toBeGreaterThanOrEqual(400)
      expect(response.status).toBeLessThan(500)
      expect(response.headers.get('Content-Type')).toContain('application/problem+json')
      const problem = (await response.json()) as { code: string; status: number; detail: string }
      expect(problem.code).toMatch(/^[A-Z]+\.[A-Z_]+$/)
      expect(problem.status).toBe(response.status)
      expect(problem.detail.length).toBeGreaterThan(0)
      expect(await tableCounts(h.database)).toEqual(before)
    })
  }
})

describe('other hostile requests', () => {
  it('refuses a non-JSON content type with 415', async () => {
    const response = await h.request('/orders', { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: '{}' })
    expect(response.status).toBe(415)
    expect(await tableCounts(h.database)).toEqual(before)
  })

  it('refuses an oversized body with 413 before parsing', async () => {
    const huge = JSON.stringify({ ...base, buyer: { ...base.buyer, name: 'x'.repeat(400_000) } } satisfies Body)
    const response = await h.post('/orders', huge)
    expect(response.status).toBe(413)
    expect(((await response.json()) as { code: string }).code).toBe('REQUEST.TOO_LARGE')
  })

  it('refuses bad query strings with 400 problems', async () => {
    for (const path of ['/orders?limit=0', '/orders?limit=abc', '/events?from=yesterday', '/events?limit=100000']) {
      const response = await h.request(path)
      expect(response.status).toBe(400)
      expect(response.headers.get('Content-Type')).toContain('application/problem+json')
    }
  })

  it('answers unknown routes with a 404 problem', async () => {
    const response = await h.request('/nowhere')
    expect(response.status).toBe(404)
    expect(((await response.json()) as { code: string }).code).toBe('ROUTE.NOT_FOUND')
  })
})
