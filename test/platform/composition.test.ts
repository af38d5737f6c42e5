import { afterEach, describe, expect, it } from 'bun:test'
import { sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { z } from 'zod'
import { defineContract, Subscriber } from '../../src/kernel/index.ts'
import { defineContext } from '../../src/platform/context.ts'
import { createHerald } from '../../src/platform/herald.ts'
import { contextRoutes } from '../../src/platform/hono/context.ts'
import { tempDatabase } from '../support/database.ts'

// Composition mistakes surface when the service is built, before any request, naming the context.

let dispose: (() => void) | undefined
afterEach(() => dispose?.())

async function compose(contexts: Parameters<typeof createHerald>[0]['contexts']) {
  const database = await tempDatabase([])
  dispose = database.dispose
  return createHerald({ database, contexts })
}

// createHerald does not migrate (the entry does, before composing): any folder names the migrations here.
const migrations = () => 'drizzle/shipping'

const Shipped = defineContract({ source: 'shipping', name: 'ParcelShipped', version: 1, description: 'x', schema: z.object({ id: z.string() }) })
const parcels = sqliteTable('shipping_parcels', { id: text('id').primaryKey() })

describe('createHerald, composing contexts', () => {
  it('refuses two contexts with one name', async () => {
    const a = defineContext({ name: 'shipping', setup: () => ({ api: {} }) })
    await expect(compose([a, a])).rejects.toThrow('Two contexts are named "shipping"')
  })

  it('refuses a context name that cannot be an address', async () => {
    await expect(compose([defineContext({ name: 'Ship Ping', setup: () => ({ api: {} }) })])).rejects.toThrow('Context name "Ship Ping"')
  })

  it('refuses two contexts claiming one table, and a context claiming a toolkit table', async () => {
    const a = defineContext({ name: 'shipping', schema: { parcels }, migrations, setup: () => ({ api: {} }) })
    const b = defineContext({ name: 'returns', schema: { parcels }, migrations, setup: () => ({ api: {} }) })
    await expect(compose([a, b])).rejects.toThrow('Contexts shipping and returns both claim the table shipping_parcels')
    const outbox = sqliteTable('outbox', { id: text('id').primaryKey() })
    await expect(compose([defineContext({ name: 'rogue', schema: { outbox }, migrations, setup: () => ({ api: {} }) })])).rejects.toThrow(
      "Context rogue claims the toolkit's table outbox",
    )
  })

  it('refuses two contexts answering one route, or a context taking a toolkit route', async () => {
    const routes = () => contextRoutes().get('/parcels/:id', (c) => c.text('ok'))
    const a = defineContext({ name: 'shipping', setup: () => ({ api: {}, routes: routes() }) })
    const b = defineContext({ name: 'returns', setup: () => ({ api: {}, routes: contextRoutes().get('/parcels/:parcelId', (c) => c.text('no')) }) })
    await expect(compose([a, b])).rejects.toThrow('Context returns and context shipping both answer GET /parcels/:parcelId')
    const health = defineContext({ name: 'health', setup: () => ({ api: {}, routes: contextRoutes().get('/health', (c) => c.text('mine')) }) })
    await expect(compose([health])).rejects.toThrow('Context health and the toolkit both answer GET /health')
  })

  it('refuses a handler for an event type no context records, naming the context and the handler', async () => {
    const a = defineContext<object, { type: 'ParcelPacked'; data: object }>({
      name: 'shipping',
      records: ['ParcelPacked'],
      setup: ({ dispatcher }) => {
        dispatcher.on('ParcelPacked', function labelWhenPacked() {}, { name: 'labelWhenPacked' })
        ;(dispatcher as unknown as { on: (t: string, h: () => void, o: object) => void }).on('ParcelLost', function claimWhenLost() {}, {
          name: 'claimWhenLost',
        })
        return { api: {} }
      },
    })
    await expect(compose([a])).rejects.toThrow('Context shipping registers claimWhenLost for ParcelLost, which no context records')
  })

  it("refuses a context publishing another context's contract", async () => {
    const a = defineContext({ name: 'billing', publishes: [Shipped], setup: () => ({ api: {} }) })
    await expect(compose([a])).rejects.toThrow('Context billing publishes herald.shipping.ParcelShipped.v1, which belongs to the shipping context')
  })

  it('refuses a context consuming an event its publisher here does not list, and accepts one from another service', async () => {
    const subscriber = new Subscriber('billing').on(Shipped, function invoiceWhenShipped() {}, { name: 'invoiceWhenShipped' })
    const billing = defineContext({ name: 'billing', consumes: [Shipped], setup: () => ({ api: {}, subscriber }) })
    await compose([billing]) // shipping runs in another service: nothing to say
    dispose?.()
    await expect(compose([billing, defineContext({ name: 'shipping', setup: () => ({ api: {} }) })])).rejects.toThrow(
      'Context billing consumes herald.shipping.ParcelShipped.v1, but the shipping context here does not list it in `publishes`',
    )
  })

  it('refuses a context that declares tables but no migrations to create them', async () => {
    const shipping = defineContext({ name: 'shipping', schema: { parcels }, setup: () => ({ api: {} }) })
    await expect(compose([shipping])).rejects.toThrow('Context shipping declares tables (shipping_parcels) but no `migrations` folder')
  })

  it('composes contexts it has never heard of: their routes, subscribers and API', async () => {
    const subscriber = new Subscriber('billing').on(Shipped, function invoiceWhenShipped() {}, { name: 'invoiceWhenShipped', ordered: true })
    const shipping = defineContext({
      name: 'shipping',
      schema: { parcels },
      migrations,
      publishes: [Shipped],
      setup: () => ({ api: { hello: () => 'parcel' }, routes: contextRoutes().get('/parcels', (c) => c.json([])) }),
    })
    const billing = defineContext({ name: 'billing', consumes: [Shipped], setup: () => ({ api: {}, subscriber }) })
    const herald = await compose([shipping, billing])
    expect(herald.api(shipping).hello()).toBe('parcel')
    expect((await herald.app.request('/parcels')).status).toBe(200)
    expect(herald.urlGroupPlan().map((g) => [g.urlGroup, g.ordered])).toEqual([['herald.shipping.ParcelShipped.v1', true]])
    expect(herald.contexts).toEqual(['shipping', 'billing'])
  })
})
