import { afterEach, describe, expect, it } from 'bun:test'
import { defaultSealing, webCryptoSealing } from '../../src/platform/store/personal-data-cipher.ts'
import { ERASED, isSealed, personalDataVault } from '../../src/platform/store/personal-data.ts'
import { orderBody, placeOrder, type TestHerald, testHerald } from '../support/herald.ts'

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

describe('the vault through node:crypto and through WebCrypto', () => {
  /** Every sealed string in the stored events of one order. */
  async function sealedIn(orderId: string): Promise<string[]> {
    const { rows } = await h.database.client.execute({ sql: 'SELECT data FROM domain_events WHERE aggregate_id = ?', args: [orderId] })
    return rows.flatMap((row) => JSON.stringify(JSON.parse(String(row.data))).match(/"pd1:[^"]+"/g) ?? []).map((s) => JSON.parse(s) as string)
  }
  const noStaging = (...statements: unknown[]) => {
    throw new Error(`the subject's key is committed: nothing to stage, got ${statements.length}`)
  }

  it('runs node:crypto by default here, so the two paths below are two implementations', () => {
    expect(defaultSealing()).not.toBe(webCryptoSealing)
  })

  it('opens with WebCrypto what a command sealed, and both seal a value to the same string, each opening the other', async () => {
    h = await testHerald({ gracePeriodMs: 0 })
    const orderId = await placeOrder(h, orderBody({ buyer: { id: 'ada', name: 'Ada Lovelace', email: 'ada@example.com' } }))
    const sealed = await sealedIn(orderId)
    expect(sealed.length).toBeGreaterThan(0)
    const web = personalDataVault(h.database, undefined, webCryptoSealing)
    const opened = await Promise.all(sealed.map((value) => web.open(value)))
    expect(opened).toContain('Ada Lovelace')
    expect(opened).not.toContain(ERASED)

    const text = 'Ada Lovelace, 12 St James’s Square — ünïcode ✓'
    const byNode = await personalDataVault(h.database).seal('ada', text, noStaging)
    const byWeb = await personalDataVault(h.database, undefined, webCryptoSealing).seal('ada', text, noStaging)
    expect(isSealed(byNode)).toBe(true)
    expect(byNode).toBe(byWeb) // same IV, AAD, ciphertext, tag and base64url layout
    // Fresh vaults, so nothing is answered from a vault's cache of values it sealed itself.
    expect(await personalDataVault(h.database, undefined, webCryptoSealing).open(byNode)).toBe(text)
    expect(await personalDataVault(h.database).open(byWeb)).toBe(text)
  })

  it('keeps the sealed format byte for byte: a known key seals a known text to a known string on both paths', async () => {
    h = await testHerald({ gracePeriodMs: 0 })
    const material = Uint8Array.from({ length: 64 }, (_, i) => i)
    await h.database.client.execute({ sql: 'INSERT INTO personal_data_keys (subject, key, created_at) VALUES (?, ?, ?)', args: ['kat', material, 'now'] })
    // What the vault sealed before node:crypto: IV = HMAC-SHA-256(key[32..64], text)[0..12], AES-256-GCM(key[0..32], AAD = subject).
    const expected = 'pd1:kat:NOrKrB-O9c3fCplR:2ZP09YjgjEtkcnC0gFJqr7rS3D-NSA'
    for (const sealing of [undefined, webCryptoSealing]) {
      expect(await personalDataVault(h.database, undefined, sealing).seal('kat', 'herald', noStaging)).toBe(expected)
      expect(await personalDataVault(h.database, undefined, sealing).open(expected)).toBe('herald')
    }
  })

  it('reads a mangled value, or one moved to another subject, as erased on both paths', async () => {
    h = await testHerald({ gracePeriodMs: 0 })
    await placeOrder(h, orderBody({ buyer: { id: 'ada', name: 'Ada Lovelace', email: 'ada@example.com' } }))
    await placeOrder(h, orderBody({ buyer: { id: 'bob', name: 'Bob Bobson', email: 'bob@example.com' } }))
    const sealed = await personalDataVault(h.database).seal('ada', 'Ada Lovelace', noStaging)
    const [prefix, , iv, ciphertext] = sealed.split(':') as [string, string, string, string]
    const flipped = `${ciphertext.slice(0, -2)}${ciphertext.at(-2) === 'A' ? 'B' : 'A'}${ciphertext.at(-1)}`
    const truncatedTag = ciphertext.slice(0, -4)
    const mangled = [
      [prefix, 'ada', iv, flipped].join(':'),
      [prefix, 'ada', iv, truncatedTag].join(':'),
      [prefix, 'ada', iv.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')), ciphertext].join(':'),
      [prefix, 'bob', iv, ciphertext].join(':'), // another subject's key and AAD
    ]
    for (const sealing of [undefined, webCryptoSealing]) {
      for (const value of mangled)
        expect({ value, opened: await personalDataVault(h.database, undefined, sealing).open(value) }).toEqual({ value, opened: ERASED })
    }
  })
})
