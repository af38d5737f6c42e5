import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { createClient } from '@libsql/client'
import { Client } from '@upstash/qstash'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { type Broker, startBroker } from '../../src/dev/broker.ts'
import { DEV_QSTASH } from '../../src/platform/messaging/qstash.ts'
import { launchChromium } from '../browser/support.ts'
import { freePort, type Service, startService, waitUntilServing } from '../runtime/support.ts'
import { orderBody } from '../support/herald.ts'
import { signDelivery } from '../support/qstash-signature.ts'
import { waitFor } from '../support/wait-for.ts'

/*
 * The reference app split into two services, as `npm run dev:split` runs it: Ordering +
 * Notifications in one process on one libSQL file, Catalog + Payment in another on another, one
 * local broker (in this test process, its queue in its own file) between them over real HTTP.
 * They share nothing but the broker and the integration-event contracts.
 */

const ROOT = resolve(import.meta.dir, '../..')
const ADMIN = 'split-admin-token'

interface Running {
  readonly name: string
  readonly contexts: string
  readonly url: string
  readonly port: number
  readonly db: string
  process: Service
}

let dir: string
let broker: Broker
let qstash: Client
let ordering: Running
let fulfilment: Running

function launch(service: Omit<Running, 'process'>): Service {
  return startService(process.execPath, ['run', 'src/service/bun.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      HERALD_SERVICE: service.name,
      HERALD_CONTEXTS: service.contexts,
      // Each dashboard joins the other's part of a chain (the peer endpoint takes the admin token).
      HERALD_PEERS: service.name === 'ordering' ? fulfilment.url : ordering.url,
      PORT: String(service.port),
      PUBLIC_URL: service.url,
      DATABASE_URL: `file:${service.db}`,
      GRACE_PERIOD_MS: '0',
      ADMIN_TOKEN: ADMIN,
      OUTBOX_SWEEP_MS: '200',
      QSTASH_URL: broker.url,
      QSTASH_TOKEN: DEV_QSTASH.token,
      QSTASH_CURRENT_SIGNING_KEY: DEV_QSTASH.currentSigningKey,
      QSTASH_NEXT_SIGNING_KEY: DEV_QSTASH.nextSigningKey,
    },
  })
}

async function start(service: Running) {
  service.process = launch(service)
  await waitUntilServing(`${service.url}/health`, service.process, 30_000)
}

async function kill9(service: Running) {
  process.kill(-service.process.pid, 'SIGKILL')
  await service.process.exited
}

async function define(name: string, contexts: string): Promise<Running> {
  const port = await freePort()
  return { name, contexts, port, url: `http://127.0.0.1:${port}`, db: join(dir, `${name}.db`), process: undefined as unknown as Service }
}

const json = async <T = any>(url: string, init?: RequestInit): Promise<T> => (await fetch(url, init)).json() as Promise<T>

async function placeOrder(body: unknown, key = crypto.randomUUID()): Promise<string> {
  // A well-behaved client: the same Idempotency-Key until it gets its 201, across restarts.
  return waitFor(
    async () => {
      const response = await fetch(`${ordering.url}/orders`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Idempotency-Key': key },
        body: JSON.stringify(body),
      }).catch(() => undefined)
      return response?.status === 201 ? ((await response.json()) as { orderId: string }).orderId : undefined
    },
    { timeoutMs: 30_000, what: 'POST /orders to be accepted' },
  )
}

const orderReaches = (orderId: string, status: string, timeoutMs = 30_000) =>
  waitFor(
    async () => {
      const order = await json<{ status: string; total: number; discount: number }>(`${ordering.url}/orders/${orderId}`).catch(() => undefined)
      return order?.status === status ? order : undefined
    },
    { timeoutMs, what: `order ${orderId} to be ${status}` },
  )

async function tablesOf(path: string): Promise<string[]> {
  const client = createClient({ url: `file:${path}` })
  try {
    const { rows } = await client.execute(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '__herald%' ORDER BY name",
    )
    return rows.map((r) => String(r.name))
  } finally {
    client.close()
  }
}

async function query(path: string, sql: string, args: (string | number)[] = []) {
  const client = createClient({ url: `file:${path}` })
  try {
    return (await client.execute({ sql, args })).rows
  } finally {
    client.close()
  }
}

const stockOf = async (productId: string) =>
  (await json<{ id: string; stock: number; reserved: number }[]>(`${fulfilment.url}/catalog/items`)).find((i) => i.id === productId)!

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'herald-split-'))
  broker = await startBroker({ port: 0, dbUrl: `file:${join(dir, 'qstash.db')}`, retryDelayScale: 0.001 })
  qstash = new Client({ baseUrl: broker.url, token: DEV_QSTASH.token })
  ordering = await define('ordering', 'ordering,notifications')
  fulfilment = await define('fulfilment', 'catalog,payment')
  // Ordering first: it publishes before the other service has subscribed, and nothing is lost.
  await start(ordering)
  await start(fulfilment)
}, 90_000)

afterAll(async () => {
  await ordering?.process?.stop()
  await fulfilment?.process?.stop()
  await broker?.stop()
  rmSync(dir, { recursive: true, force: true })
})

describe('two services, two databases, one broker', () => {
  it("serves each context from the service that runs it, and each database holds only its own contexts' tables", async () => {
    const toolkit = ['delivery_log', 'domain_events', 'idempotency_keys', 'inbox', 'occ_guard', 'outbox', 'personal_data_keys']
    expect(await tablesOf(ordering.db)).toEqual([...toolkit, 'notifications_mailbox', 'ordering_buyers', 'ordering_orders'].sort())
    expect(await tablesOf(fulfilment.db)).toEqual([...toolkit, 'catalog_items', 'catalog_orders', 'catalog_reservations', 'payment_transactions'].sort())
    expect((await fetch(`${ordering.url}/catalog/items`)).status).toBe(404)
    expect((await fetch(`${fulfilment.url}/orders/x`)).status).toBe(404)
    expect(ordering.process.output()).toContain('contexts ordering, notifications')
  })

  it('takes an order to paid across both services', async () => {
    const before = await stockOf('mug')
    const orderId = await placeOrder(orderBody({ buyer: { id: 'split-alice', name: 'Alice', email: 'alice@example.com' } }))
    await orderReaches(orderId, 'paid')
    await waitFor(async () => (await stockOf('mug')).stock === before.stock - 2 || undefined, { what: 'stock removed' })
    const mails = await json<{ kind: string }[]>(`${ordering.url}/notifications?buyerId=split-alice`)
    await waitFor(
      async () => (await json<{ kind: string }[]>(`${ordering.url}/notifications?buyerId=split-alice`)).some((m) => m.kind === 'order-paid') || undefined,
      {
        what: 'the paid mail',
      },
    )
    expect(mails.length).toBeGreaterThan(0)
  })

  it('cancels on a declined card and on a stock rejection', async () => {
    const declined = await placeOrder(
      orderBody({ card: { number: '4111111111110000', holderName: 'B', expiration: '12/30', securityNumber: '123', typeId: 2 } }),
    )
    const short = await placeOrder(orderBody({ items: [{ productId: 'limited-print', productName: 'Print', unitPrice: 250, units: 4 }] }))
    await orderReaches(declined, 'cancelled')
    await orderReaches(short, 'cancelled')
    const events = await json<{ type: string; data: { reason?: string } }[]>(`${ordering.url}/orders/${short}/events`)
    expect(events.find((e) => e.type === 'OrderCancelled')?.data.reason).toBe('stock_rejected')
  })

  it('applies the $6,000 rule', async () => {
    const buyer = { id: 'split-big', name: 'Big', email: 'big@example.com' }
    const keyboards = { productId: 'keyboard', productName: 'Keyboard', unitPrice: 3100, units: 1 }
    for (const _ of [1, 2]) await orderReaches(await placeOrder(orderBody({ buyer, items: [keyboards] })), 'paid')
    const third = await orderReaches(await placeOrder(orderBody({ buyer, items: [{ productId: 'mug', productName: 'Mug', unitPrice: 10, units: 1 }] })), 'paid')
    expect(third.discount).toBe(1)
    expect(third.total).toBe(9)
  })

  it('gives a duplicate delivery no second effect and refuses a forged one', async () => {
    const orderId = await placeOrder(orderBody())
    await orderReaches(orderId, 'paid')
    const [paid] = await query(
      ordering.db,
      "SELECT id, payload FROM outbox WHERE topic = 'herald.ordering.OrderStatusChangedToPaid.v1' AND json_extract(payload, '$.subject') = ?",
      [orderId],
    )
    const deliveriesOf = async (outcome: string) =>
      (await json<{ eventId: string; outcome: string | null }[]>(`${fulfilment.url}/dashboard/api/deliveries?limit=500`)).filter(
        (d) => d.eventId === paid!.id && d.outcome === outcome,
      ).length
    await waitFor(async () => (await deliveriesOf('processed')) === 1 || undefined, { what: 'catalog to handle the paid order' })
    const stock = await stockOf('mug')
    // The same CloudEvent again, twice, through the broker: properly signed, new message ids.
    const { toStructuredCloudEvent } = await import('../../src/platform/messaging/cloud-events.ts')
    const body = toStructuredCloudEvent(JSON.parse(String(paid!.payload)), ordering.url)
    for (const _ of [1, 2]) {
      await qstash.publish({ url: `${fulfilment.url}/subscribers/catalog`, body, headers: { 'Content-Type': 'application/cloudevents+json' } })
    }
    await waitFor(async () => (await deliveriesOf('duplicate')) >= 2 || undefined, { what: 'two duplicate deliveries answered' })
    expect((await stockOf('mug')).stock).toBe(stock.stock)

    const forged = await signDelivery({ key: 'sig_not_the_real_key', url: `${fulfilment.url}/subscribers/catalog`, body })
    const refused = await fetch(`${fulfilment.url}/subscribers/catalog`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/cloudevents+json', 'Upstash-Signature': forged },
      body,
    })
    expect(refused.status).toBe(401)
    expect((await stockOf('mug')).stock).toBe(stock.stock)
  })

  it('answers an event type a service has never heard of with 489, never a crash', async () => {
    const event = {
      specversion: '1.0',
      id: crypto.randomUUID(),
      source: '/herald/ghost',
      type: 'herald.ghost.Boo.v1',
      datacontenttype: 'application/json',
      data: {},
    }
    const body = JSON.stringify(event)
    const signature = await signDelivery({ key: DEV_QSTASH.currentSigningKey, url: `${fulfilment.url}/subscribers/catalog`, body })
    const response = await fetch(`${fulfilment.url}/subscribers/catalog`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/cloudevents+json', 'Upstash-Signature': signature },
      body,
    })
    expect(response.status).toBe(489)
  })

  it('describes what each service publishes and consumes', async () => {
    const orderingSchemas = (await json<{ cloudEventType: string }[]>(`${ordering.url}/schemas`)).map((s) => s.cloudEventType)
    expect(orderingSchemas).toContain('herald.ordering.OrderStatusChangedToPaid.v1')
    expect(orderingSchemas).toContain('herald.payment.OrderPaymentSucceeded.v1') // consumed
    expect(orderingSchemas).not.toContain('herald.payment.OrderPaymentRefunded.v1') // neither published nor consumed here
    const fulfilmentSchemas = (await json<{ cloudEventType: string }[]>(`${fulfilment.url}/schemas`)).map((s) => s.cloudEventType)
    expect(fulfilmentSchemas).toContain('herald.catalog.OrderStockConfirmed.v1')
    expect(fulfilmentSchemas).toContain('herald.ordering.OrderStatusChangedToAwaitingValidation.v1')
    expect(fulfilmentSchemas).not.toContain('herald.ordering.BuyerRegistered.v2')
  })

  it("joins one order's chain across both services on the dashboard, each labelled", async () => {
    const orderId = await placeOrder(orderBody())
    await orderReaches(orderId, 'paid')

    const find = (nodes: any[], test: (n: any) => boolean): any => {
      for (const node of nodes) {
        if (test(node)) return node
        const inside = find(node.children ?? [], test)
        if (inside) return inside
      }
    }
    const timeline = await waitFor(
      async () => {
        const t = await json<any>(`${ordering.url}/dashboard/api/subjects/${orderId}/timeline`)
        return find(t.roots, (n) => n.kind === 'integration' && n.type === 'herald.payment.OrderPaymentSucceeded.v1' && n.outbox) ? t : undefined
      },
      { what: "the payment event from the fulfilment service's outbox" },
    )
    expect(timeline.services).toEqual([
      { name: 'ordering', reachable: true },
      { name: fulfilment.url, reachable: true },
    ])
    // Catalog's reaction sits under ordering's event that caused it, as one chain.
    const awaiting = find(timeline.roots, (n) => n.kind === 'integration' && n.type === 'herald.ordering.OrderStatusChangedToAwaitingValidation.v1')
    expect(find([awaiting], (n) => n.kind === 'integration' && n.type === 'herald.catalog.OrderStockConfirmed.v1')).toBeTruthy()
  })

  it("shows on each service's dashboard its own subjects, and hides what it cannot do", async () => {
    const orderId = await placeOrder(orderBody({ buyer: { id: 'split-dana', name: 'Dana', email: 'dana@example.com' } }))
    await orderReaches(orderId, 'paid')
    // Fulfilment runs Catalog and Payment: its subjects are their stock reservations and payments, and it has no demo.
    const service = await json<any>(`${fulfilment.url}/dashboard/api/service`)
    expect(service).toMatchObject({ name: 'fulfilment', peers: [ordering.url] })
    expect(service.subjects.map((k: any) => [k.name, k.context, k.demo])).toEqual([
      ['stock reservation', 'catalog', []],
      ['payment', 'payment', []],
    ])
    expect((await json<any[]>(`${fulfilment.url}/dashboard/api/subjects`)).find((r) => r.id === orderId)).toMatchObject({ kind: 'stock reservation' })
    const payment = await waitFor(async () => (await json<any[]>(`${fulfilment.url}/dashboard/api/subjects?kind=payment`)).find((p) => p.id === orderId), {
      what: 'the payment on the fulfilment dashboard',
    })
    expect(payment).toMatchObject({ kind: 'payment', status: 'succeeded' })
    const demo = await fetch(`${fulfilment.url}/dashboard/api/demo`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"scenario":"paid"}',
    })
    expect(demo.status).toBe(404)
    // Its payment's chain joins Ordering's part (the command and OrderStarted are in the peer's store).
    const find = (nodes: any[], test: (n: any) => boolean): any => nodes.find(test) ?? nodes.map((n) => find(n.children ?? [], test)).find(Boolean)
    const chain = await waitFor(
      async () => {
        const t = await json<any>(`${fulfilment.url}/dashboard/api/subjects/${orderId}/timeline?kind=payment`)
        return find(t.roots, (n) => n.kind === 'domain' && n.type === 'OrderStarted') && find(t.roots, (n) => n.kind === 'delivery' && n.target === 'payment')
          ? t
          : undefined
      },
      { what: "the payment's chain across both services" },
    )
    expect(chain.subject).toMatchObject({ kind: 'payment', id: orderId })
    // Ordering's dashboard lists orders and offers the demo.
    expect((await json<any>(`${ordering.url}/dashboard/api/service`)).subjects.map((k: any) => [k.name, k.demo.length > 0])).toEqual([['order', true]])

    // In a browser: the fulfilment page lists reservations, offers payments beside them, and no demo form.
    const browser = await launchChromium()
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
      await page.goto(`${fulfilment.url}/`)
      await page.locator(`.subject-link[data-subject-id="${orderId}"]`).waitFor({ timeout: 15_000 })
      expect(await page.locator('#subjects-title').textContent()).toBe('Recent stock reservations')
      expect(await page.locator('#demo').isHidden()).toBe(true)
      expect(await page.locator('#subject-kind option').allInnerTexts()).toEqual(['Stock reservations', 'Payments'])
      await page.locator('#subject-kind').selectOption('payment')
      await page.locator('#subjects-title', { hasText: 'Recent payments' }).waitFor()
      await page.locator(`.subject-link[data-subject-id="${orderId}"]`).click()
      await page.locator('#subject-status[data-status="succeeded"]').waitFor({ timeout: 15_000 })
      await page.locator('.card[data-kind="domain"][data-name="OrderStarted"]').waitFor({ timeout: 15_000 })
    } finally {
      await browser.close()
    }
  })

  it('survives kill -9 of each service in turn during a stream of orders: every accepted order settles once, no subscription lost', async () => {
    const mugsBefore = (await stockOf('mug')).stock
    const accepted: string[] = []
    const stream = (async () => {
      for (let i = 0; i < 24; i++) accepted.push(await placeOrder(orderBody({ buyer: { id: `stream-${i}`, name: 'S', email: `s${i}@example.com` } })))
    })()
    await waitFor(() => accepted.length >= 6 || undefined, { what: 'six orders accepted' })
    await kill9(ordering)
    await start(ordering)
    await waitFor(() => accepted.length >= 14 || undefined, { what: 'fourteen orders accepted' })
    await kill9(fulfilment)
    await start(fulfilment)
    await stream
    for (const orderId of accepted) await orderReaches(orderId, 'paid', 60_000)

    // Nothing duplicated: one paid event per order, stock removed once per order, one paid mail each.
    const paidEvents = await query(
      ordering.db,
      "SELECT aggregate_id, COUNT(*) AS n FROM domain_events WHERE type = 'OrderStatusChangedToPaid' AND aggregate_id IN (SELECT value FROM json_each(?)) GROUP BY aggregate_id",
      [JSON.stringify(accepted)],
    )
    expect(paidEvents.map((r) => Number(r.n))).toEqual(accepted.map(() => 1))
    await waitFor(async () => (await stockOf('mug')).stock === mugsBefore - 2 * accepted.length || undefined, { what: 'stock removed once per order' })
    const paidMails = async () =>
      Number((await query(ordering.db, "SELECT COUNT(*) AS n FROM notifications_mailbox WHERE kind = 'order-paid' AND buyer_id LIKE 'stream-%'"))[0]!.n)
    await waitFor(async () => (await paidMails()) >= accepted.length || undefined, { what: 'a paid mail per order' })
    expect(await paidMails()).toBe(accepted.length)

    // Both services' endpoints are still in their URL groups after both restarts.
    const groups = await qstash.urlGroups.list()
    const endpoints = (type: string) => groups.find((g) => g.name === type)?.endpoints.map((e) => e.url) ?? []
    expect(endpoints('herald.ordering.OrderStatusChangedToAwaitingValidation.v1')).toContain(`${fulfilment.url}/subscribers/catalog`)
    expect(endpoints('herald.payment.OrderPaymentSucceeded.v1')).toContain(`${ordering.url}/subscribers/ordering`)
    expect(endpoints('herald.ordering.OrderStatusChangedToPaid.v1').sort()).toEqual(
      [`${fulfilment.url}/subscribers/catalog`, `${ordering.url}/subscribers/notifications`].sort(),
    )
  }, 180_000)
})
