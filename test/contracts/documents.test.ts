import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { Parser } from '@asyncapi/parser'
import { validate } from '@readme/openapi-parser'
import { type TestHerald, testHerald } from '../support/herald.ts'

let h: TestHerald
beforeAll(async () => {
  h = await testHerald({ config: { publicUrl: 'http://herald.test' } })
})
afterAll(() => h.dispose())

describe('GET /asyncapi.json', () => {
  it('is a valid AsyncAPI 3.0 document per the official parser', async () => {
    const document = await (await h.request('/asyncapi.json')).json()
    const { diagnostics, document: parsed } = await new Parser().parse(JSON.stringify(document))
    const errors = diagnostics.filter((d) => d.severity === 0)
    expect(errors.map((e) => `${e.path.join('.')}: ${e.message}`)).toEqual([])
    expect(parsed).toBeDefined()
  })

  it('has a channel per event type with its sender and receivers', async () => {
    const document = (await (await h.request('/asyncapi.json')).json()) as any
    const paid = document.channels.ordering_OrderStatusChangedToPaid_v1
    expect(paid.address).toBe('herald.ordering.OrderStatusChangedToPaid.v1')
    expect(Object.keys(document.operations)).toEqual(
      expect.arrayContaining([
        'ordering_sends_ordering_OrderStatusChangedToPaid_v1',
        'catalog_receives_ordering_OrderStatusChangedToPaid_v1',
        'notifications_receives_ordering_OrderStatusChangedToPaid_v1',
        'notifications_receives_ordering_BuyerRegistered_v1',
        'notifications_receives_ordering_BuyerRegistered_v2',
      ]),
    )
    const payload = document.components.messages.ordering_OrderStatusChangedToPaid_v1.payload
    expect(payload.properties.data.required).toContain('totalCents')
    expect(payload.properties.dataschema.const).toBe('http://herald.test/schemas/herald.ordering.OrderStatusChangedToPaid/1')
  })
})

describe('GET /openapi.json', () => {
  it('is a valid OpenAPI document per a real validator', async () => {
    const document = await (await h.request('/openapi.json')).json()
    const result = await validate(structuredClone(document) as any)
    expect(result.valid ? [] : result.errors).toEqual([])
  })

  // Both directions, as `METHOD /path/{param}`: a route served without an entry, and an entry for no route.
  const routesOf = async () => {
    const document = (await (await h.request('/openapi.json')).json()) as { paths: Record<string, Record<string, unknown>> }
    const documented = Object.entries(document.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`))
    // The dashboard's page, assets and JSON feed exist for its own script; /docs and /openapi.json are the documentation.
    const undocumented = (path: string) => path === '/' || path.startsWith('/dashboard/') || path === '/docs' || path === '/openapi.json'
    const served = h.app.routes.filter((r) => r.method !== 'ALL' && !undocumented(r.path)).map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`)
    return { document, documented, served }
  }

  it('describes every route the app serves, except the dashboard page and the docs themselves', async () => {
    const { document, documented, served } = await routesOf()
    expect(served.length).toBeGreaterThan(20)
    expect(served.filter((route) => !documented.includes(route))).toEqual([])
    expect(document.paths['/admin/outbox']!.get).toMatchObject({ security: [{ adminToken: [] }] })
  })

  it('describes no route the app does not serve', async () => {
    const { documented, served } = await routesOf()
    expect(documented.length).toBeGreaterThan(20)
    expect(documented.filter((route) => !served.includes(route))).toEqual([])
  })

  it("registers each route's entry once", async () => {
    // A second registration of the same method and path (a hand-written copy) would silently replace the first.
    const entries = h.app.openAPIRegistry.definitions.flatMap((d) => (d.type === 'route' ? [`${d.route.method.toUpperCase()} ${d.route.path}`] : []))
    expect(entries.length).toBeGreaterThan(20)
    expect(entries.filter((entry, i) => entries.indexOf(entry) !== i)).toEqual([])
  })
})

describe('the schema registry', () => {
  it('lists every contract and serves the JSON Schema its dataschema points to', async () => {
    const list = (await (await h.request('/schemas')).json()) as any[]
    const v2 = list.find((s) => s.cloudEventType === 'herald.ordering.BuyerRegistered.v2')
    expect(v2.dataschema).toBe('http://herald.test/schemas/herald.ordering.BuyerRegistered/2')
    const schema = (await (await h.request('/schemas/herald.ordering.BuyerRegistered/2')).json()) as any
    expect(schema.required).toContain('channel')
    expect(schema.$id).toBe(v2.dataschema)
    const missing = await h.request('/schemas/herald.ordering.BuyerRegistered/9')
    expect(missing.status).toBe(404)
    expect(missing.headers.get('Content-Type')).toContain('application/problem+json')
  })
})
