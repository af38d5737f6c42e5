import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { existsSync, readFileSync } from 'node:fs'
import { ERASED_EMAIL } from '../../src/contracts/index.ts'
import { Buyer } from '../../src/ordering/domain/buyer/buyer.ts'
import type { BuyerEvent } from '../../src/ordering/domain/buyer/buyer.events.ts'
import { Order } from '../../src/ordering/domain/order/order.ts'
import type { OrderEvent } from '../../src/ordering/domain/order/order.events.ts'
import { createReferenceHerald } from '../../src/service/app.ts'
import { orderBody } from '../support/herald.ts'
import { ADMIN_TOKEN, type Stack, startStack } from '../support/stack.ts'
import { waitFor } from '../support/wait-for.ts'

const buyer = { id: 'erin', name: 'Erin Erasable', email: 'erin.erasable@example.com' }
const street = '42 Shredder Lane'
const holderName = 'Erin Q. Erasable'
const personal = [buyer.name, buyer.email, street, holderName]

let stack: Stack
let orderId: string
let erasure: Response
/** What the file and its WAL held right after the 200, against what the live rows hold. */
let rightAfter: { value: string; onDisk: number; live: number }[]

const body = () =>
  orderBody({
    buyer,
    address: { street, city: 'Springfield', state: 'IL', country: 'US', zipCode: '62701' },
    card: { number: '4111111111111111', holderName, expiration: '12/30', securityNumber: '123', typeId: 2 },
  })

interface Mail {
  to: string
  kind: string
  subject: string
  body: string
}
const mails = () => stack.json<Mail[]>(`/notifications?buyerId=${buyer.id}`)
const outbox = async () =>
  (await stack.database.client.execute("SELECT topic, status, payload FROM outbox WHERE kind = 'integration' ORDER BY rowid")).rows.map((r) => ({
    topic: String(r.topic),
    status: String(r.status),
    payload: JSON.parse(String(r.payload)) as { data: Record<string, unknown> },
  }))
const drained = () =>
  waitFor(
    async () => {
      await stack.herald.relay!.sweep()
      return (await stack.database.client.execute("SELECT COUNT(*) AS n FROM outbox WHERE status != 'published'")).rows[0]!.n === 0 || undefined
    },
    { what: 'the outbox to drain' },
  )

/** Copies of `value` in the database file and its WAL, byte for byte. */
function copiesOnDisk(value: string): number {
  const path = stack.database.path
  const bytes = [path, `${path}-wal`]
    .filter(existsSync)
    .map((file) => readFileSync(file).toString('latin1'))
    .join('\n')
  return bytes.split(value).length - 1
}

/** Copies of `value` in the live rows of every table (what the file must hold, and nothing more). */
async function liveCopies(value: string): Promise<number> {
  const { client } = stack.database
  const tables = (await client.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")).rows.map((r) => String(r.name))
  let copies = 0
  for (const table of tables) {
    const columns = (await client.execute({ sql: 'SELECT name FROM pragma_table_info(?)', args: [table] })).rows.map((r) => String(r.name))
    for (const column of columns) {
      const text = `CAST("${column}" AS TEXT)`
      const { rows } = await client.execute({
        sql: `SELECT COALESCE(SUM((length(${text}) - length(replace(${text}, ?, ''))) / length(?)), 0) AS n FROM "${table}"`,
        args: [value, value],
      })
      copies += Number(rows[0]!.n)
    }
  }
  return copies
}

const census = async () => Promise.all(personal.map(async (value) => ({ value, onDisk: copiesOnDisk(value), live: await liveCopies(value) })))

describe('erasing a buyer’s personal data (crypto-shredding)', () => {
  beforeAll(async () => {
    stack = await startStack()
    orderId = await stack.placeOrder(body())
    await stack.orderReaches(orderId, 'paid')
    await waitFor(async () => ((await mails()).filter((m) => m.to === buyer.email).length >= 2 ? true : undefined), { what: 'the welcome and paid mails' })
    await drained()
    // Nothing reaches Notifications until the file is read: the broker is away while the erasure answers.
    await stack.stopBroker()
    erasure = await stack.admin(`/admin/buyers/${buyer.id}/personal-data`, { method: 'DELETE' })
    rightAfter = await census()
    await stack.restartBroker()
    // Then the erasure reaches Notifications, which erases its mails (what the dashboard shows too).
    await drained()
    await waitFor(async () => (await mails()).every((m) => m.to === '[erased]') || undefined, { what: 'the mails to be erased' })
  })
  afterAll(async () => {
    await stack?.stop()
  })

  describe('before the erasure', () => {
    it('stored only sealed values: the clear name and email were never in an event', async () => {
      const { rows } = await stack.database.client.execute({ sql: 'SELECT data FROM domain_events WHERE aggregate_id IN (?, ?)', args: [buyer.id, orderId] })
      expect(rows.length).toBeGreaterThan(3)
      for (const row of rows) for (const value of personal) expect(String(row.data)).not.toContain(value)
    })
  })

  it('leaves, right after the 200, no copy in the file or its WAL beyond the live rows (only the mails Notifications has yet to erase)', () => {
    expect(rightAfter.length).toBe(personal.length)
    for (const { value, onDisk, live } of rightAfter) expect({ value, onDisk }).toEqual({ value, onDisk: live })
    expect(rightAfter.find((c) => c.value === buyer.email)!.live).toBeGreaterThan(0) // the mailbox, still
    expect(rightAfter.filter((c) => c.value === street || c.value === holderName).map((c) => c.live)).toEqual([0, 0])
  })

  it('answers 200 and records BuyerPersonalDataErased in the buyer’s stream', async () => {
    expect(erasure.status).toBe(200)
    expect(await erasure.json()).toMatchObject({ buyerId: buyer.id })
    const stream = await stack.herald.events.stream('Buyer', buyer.id)
    expect(stream.at(-1)?.type).toBe('BuyerPersonalDataErased')
  })

  it('still loads the order and its events, with "[erased]" for name, email, street and holder name', async () => {
    const order = await stack.json(`/orders/${orderId}`)
    expect(order.status).toBe('paid')
    expect(order.address).toMatchObject({ street: '[erased]', city: 'Springfield' })
    const events = await stack.json<{ type: string; data: any }[]>(`/orders/${orderId}/events`)
    const started = events.find((e) => e.type === 'OrderStarted')!
    expect(started.data.buyer).toEqual({ id: buyer.id, name: '[erased]', email: '[erased]' })
    expect(started.data.address.street).toBe('[erased]')
    expect(started.data.card.holderName).toBe('[erased]')
    expect((await stack.json<any[]>(`/orders?buyerId=${buyer.id}`))[0].address.street).toBe('[erased]')
    const page = await stack.json<{ events: { type: string; data: any }[] }>(`/events?aggregateType=Buyer&aggregateId=${buyer.id}`)
    const registered = page.events.find((e) => e.type === 'BuyerRegistered')!
    expect(registered.data).toMatchObject({ name: '[erased]', email: '[erased]' })
    const verified = page.events.find((e) => e.type === 'BuyerAndPaymentMethodVerified')!
    expect(verified.data.paymentMethod.holderName).toBe('[erased]')
  })

  it('shows "[erased]" on the dashboard timeline', async () => {
    const response = await stack.admin(`/dashboard/api/subjects/${orderId}/timeline`)
    expect(response.status).toBe(200)
    const text = await response.text()
    expect(text).toContain('[erased]')
    for (const value of personal) expect(text).not.toContain(value)
  })

  it('replays and reconciles: the streams rebuild exactly the stored rows', async () => {
    const report = await stack.herald.reconcile()
    expect(report.divergences).toEqual([])
    const orderEvents = await stack.herald.events.stream('Order', orderId)
    const replayed = Order.fromHistory(
      orderId,
      orderEvents.map(({ type, data }) => ({ type, data }) as OrderEvent),
    )
    const stored = await stack.herald.ordering.repositories.orders.load(orderId)
    expect(replayed.state).toEqual(stored!.state)
    const buyerEvents = await stack.herald.events.stream('Buyer', buyer.id)
    expect(
      Buyer.fromHistory(
        buyer.id,
        buyerEvents.map(({ type, data }) => ({ type, data }) as BuyerEvent),
      ).state,
    ).toEqual((await stack.herald.ordering.repositories.buyers.load(buyer.id))!.state)
  })

  it('publishes herald.ordering.BuyerPersonalDataErased.v1, and Notifications erases its mails', async () => {
    const erased = await waitFor(
      async () => (await outbox()).find((r) => r.topic === 'herald.ordering.BuyerPersonalDataErased.v1' && r.status === 'published'),
      {
        what: 'the erasure event to be published',
      },
    )
    expect(erased.payload.data).toMatchObject({ buyerId: buyer.id })
    const erasedMails = await waitFor(
      async () => {
        const all = await mails()
        return all.length > 0 && all.every((m) => m.to === '[erased]' && m.subject === '[erased]' && m.body === '[erased]') ? all : undefined
      },
      { what: "Notifications to erase the buyer's mails" },
    )
    expect(erasedMails.map((m) => m.kind)).toEqual(expect.arrayContaining(['welcome', 'order-paid']))
  })

  it('scrubbed the integration events that already left, in the outbox', async () => {
    for (const row of await outbox()) {
      if (row.payload.data.buyerId !== buyer.id) continue
      const text = JSON.stringify(row.payload)
      for (const value of personal) expect(text).not.toContain(value)
    }
  })

  it('publishes later events about the buyer with nothing personal in them', async () => {
    const shipped = await stack.admin(`/orders/${orderId}/ship`, { method: 'POST' })
    expect(shipped.status).toBe(200)
    await drained()
    const row = (await outbox()).find((r) => r.topic === 'herald.ordering.OrderShipped.v1' && r.payload.data.orderId === orderId)!
    expect(row.status).toBe('published')
    expect(row.payload.data.buyerEmail).toBe(ERASED_EMAIL)
    // Nobody to write to: Notifications sends no mail for it.
    const after = await mails()
    expect(after.some((m) => m.kind === 'order-shipped')).toBe(false)
  })

  it('still shows "[erased]" after a restart (a new Herald on the same file)', async () => {
    const restarted = createReferenceHerald({ database: stack.database, gracePeriodMs: 0, config: { adminToken: ADMIN_TOKEN } })
    const order = (await (await restarted.app.request(`/orders/${orderId}`)).json()) as { address: { street: string } }
    expect(order.address.street).toBe('[erased]')
    const events = (await (await restarted.app.request(`/orders/${orderId}/events`)).json()) as { type: string; data: any }[]
    expect(events[0]!.data.buyer.email).toBe('[erased]')
  })

  it('refuses an unknown buyer (404 problem+json) and a caller without the admin token (401)', async () => {
    const unknown = await stack.admin('/admin/buyers/nobody-here/personal-data', { method: 'DELETE' })
    expect(unknown.status).toBe(404)
    expect(unknown.headers.get('content-type')).toContain('application/problem+json')
    expect(((await unknown.json()) as { code: string }).code).toBe('BUYER.NOT_FOUND')
    const anonymous = await fetch(`${stack.publicUrl}/admin/buyers/${buyer.id}/personal-data`, { method: 'DELETE' })
    expect(anonymous.status).toBe(401)
    const wrong = await fetch(`${stack.publicUrl}/admin/buyers/${buyer.id}/personal-data`, { method: 'DELETE', headers: { Authorization: 'Bearer nope' } })
    expect(wrong.status).toBe(401)
  })

  it('is documented in /openapi.json as an admin route', async () => {
    const document = await stack.json('/openapi.json')
    const operation = document.paths['/admin/buyers/{id}/personal-data']?.delete
    expect(operation).toBeDefined()
    expect(operation.security).toEqual([{ adminToken: [] }])
    expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['200', '401', '404']))
  })

  it('leaves no copy in the file or its WAL once Notifications erased its mails', async () => {
    await drained()
    await waitFor(async () => (await mails()).every((m) => m.to === '[erased]') || undefined, { what: 'the mails to be erased' })
    // The delivery is answered only after its scrub: wait for that, then nothing may be left anywhere.
    const left = await waitFor(
      async () => {
        const counts = await census()
        return counts.every((c) => c.onDisk === 0 && c.live === 0) ? counts : undefined
      },
      { timeoutMs: 10_000, what: 'no copy of the personal data on disk' },
    )
    expect(left.map((c) => c.onDisk)).toEqual([0, 0, 0, 0])
  })

  it('leaves no copy after shutdown either', async () => {
    stack.server.stop(true)
    await stack.herald.drain()
    stack.database.close()
    for (const value of personal) expect({ value, copies: copiesOnDisk(value) }).toEqual({ value, copies: 0 })
  })
})
