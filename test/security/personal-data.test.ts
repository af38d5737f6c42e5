import { afterEach, describe, expect, it } from 'bun:test'
import { orderBody, type TestHerald, testHerald } from '../support/herald.ts'

const ADMIN_TOKEN = 'a-test-admin-token-of-at-least-32-characters'
let h: TestHerald
afterEach(() => h?.dispose())

/** Rows of every table that hold `text` anywhere. */
async function rowsHolding(text: string): Promise<number> {
  const { client } = h.database
  const tables = (await client.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")).rows.map((r) => String(r.name))
  let found = 0
  for (const table of tables) {
    const columns = (await client.execute({ sql: 'SELECT name FROM pragma_table_info(?)', args: [table] })).rows.map((r) => String(r.name))
    const where = columns.map((c) => `instr(CAST("${c}" AS TEXT), ?) > 0`).join(' OR ')
    const { rows } = await client.execute({ sql: `SELECT COUNT(*) AS n FROM "${table}" WHERE ${where}`, args: columns.map(() => text) })
    found += Number(rows[0]!.n)
  }
  return found
}

describe('the personal-data vault', () => {
  it('seals text that already looks sealed (`pd1:…`): it reads back as sent, and is gone with the erasure', async () => {
    h = await testHerald({ gracePeriodMs: 0, config: { adminToken: ADMIN_TOKEN } })
    const lookalike = { name: 'pd1:mallory:AAAAAAAAAAAAAAAA:Zm9yZ2Vk', street: 'pd1:mallory:x:y', holderName: 'pd1:' }
    const body = orderBody({
      buyer: { id: 'mallory', name: lookalike.name, email: 'mallory@example.com' },
      address: { street: lookalike.street, city: 'Springfield', state: 'IL', country: 'US', zipCode: '62701' },
      card: { number: '4111111111111111', holderName: lookalike.holderName, expiration: '12/30', securityNumber: '123', typeId: 2 },
    })
    const created = await h.post('/orders', body)
    expect(created.status).toBe(201)
    const { orderId } = (await created.json()) as { orderId: string }

    const events = (await (await h.request(`/orders/${orderId}/events`)).json()) as { type: string; data: any }[]
    const started = events.find((e) => e.type === 'OrderStarted')!
    expect(started.data.buyer.name).toBe(lookalike.name)
    expect(started.data.address.street).toBe(lookalike.street)
    expect(started.data.card.holderName).toBe(lookalike.holderName)
    const stored = await h.database.client.execute({ sql: 'SELECT data FROM domain_events WHERE aggregate_id = ?', args: [orderId] })
    for (const row of stored.rows) expect(String(row.data)).not.toContain(lookalike.name)

    const erased = await h.request('/admin/buyers/mallory/personal-data', { method: 'DELETE', headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } })
    expect(erased.status).toBe(200)
    const after = (await (await h.request(`/orders/${orderId}/events`)).json()) as { type: string; data: any }[]
    expect(after.find((e) => e.type === 'OrderStarted')!.data.buyer.name).toBe('[erased]')
    expect(after.find((e) => e.type === 'OrderStarted')!.data.card.holderName).toBe('[erased]')
    // Not a row anywhere (the outbox's clear integration events were redacted with the rest).
    for (const text of [lookalike.name, lookalike.street]) expect({ text, rows: await rowsHolding(text) }).toEqual({ text, rows: 0 })
  })
})
