import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { canonicalJson } from '../../src/kernel/index.ts'
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { drizzle } from 'drizzle-orm/libsql'
import { migrate } from 'drizzle-orm/libsql/migrator'
import { openDatabase } from '../../src/platform/store/database.ts'
import { migrateDatabase } from '../../src/platform/store/migrate.ts'
import { orderBody } from '../support/herald.ts'
import { waitFor } from '../support/wait-for.ts'
import { type ProductionService, startProductionService } from './production-service.ts'

/*
 * What an Idempotency-Key leaves in the database of a production service (its own process, real
 * JWTs, the local broker standing in for QStash): a fingerprint that is keyed and blind to card
 * data, kept for a retention, like the inbox's dedupe rows.
 */

const TOOLKIT_MIGRATIONS = join(import.meta.dir, '../../src/platform/store/migrations')
let service: ProductionService
beforeAll(async () => {
  service = await startProductionService()
}, 60_000)
afterAll(() => service?.stop())

const withCvv = (securityNumber: string) => {
  const body = orderBody()
  return { ...body, card: { ...body.card, securityNumber } }
}
const startOrder = async (key: string, body: unknown) =>
  fetch(`${service.baseUrl}/orders`, {
    method: 'POST',
    headers: { ...(await service.buyerHeaders('alice')), 'Idempotency-Key': key },
    body: JSON.stringify(body),
  })
const fingerprintOf = async (key: string) => {
  const rows = await service.sql('SELECT request_hash FROM idempotency_keys WHERE key LIKE ?', [`%"${key}"]`])
  return String(rows[0]?.request_hash)
}
const sha256 = (text: string) => new Bun.CryptoHasher('sha256').update(text).digest('hex')

describe('the stored fingerprint of an Idempotency-Key', () => {
  it('keeps nothing derived from the CVV or the card number, and is keyed', async () => {
    expect((await startOrder('fp-123', withCvv('123'))).status).toBe(201)
    expect((await startOrder('fp-987', withCvv('987'))).status).toBe(201)
    const stored = await fingerprintOf('fp-123')
    // The same request but for the CVV has the same fingerprint: the CVV is not in it.
    expect(await fingerprintOf('fp-987')).toBe(stored)
    // Not a plain hash anyone can recompute: no CVV falls out of a brute force over its 1000 values.
    const guesses = Array.from({ length: 1000 }, (_, n) => sha256(canonicalJson(withCvv(String(n).padStart(3, '0')))))
    expect(guesses).not.toContain(stored.replace(/^h1:/, ''))
    const { number: _number, securityNumber: _cvv, ...card } = orderBody().card
    expect(stored).not.toContain(sha256(canonicalJson({ ...orderBody(), card })))
  })

  it('still tells a replay from another request, and a change of CVV alone is a replay', async () => {
    const first = await startOrder('fp-replay', withCvv('123'))
    const { orderId } = (await first.json()) as { orderId: string }
    const againOtherCvv = await startOrder('fp-replay', withCvv('456'))
    expect(againOtherCvv.status).toBe(201)
    expect(againOtherCvv.headers.get('Idempotent-Replayed')).toBe('true')
    expect(((await againOtherCvv.json()) as { orderId: string }).orderId).toBe(orderId)
    const otherItems = { ...withCvv('123'), items: [{ productId: 'mug', productName: 'Herald mug', unitPrice: 12.5, units: 9 }] }
    expect((await startOrder('fp-replay', otherItems)).status).toBe(422)
  })

  it('survives a restart: a replay after it is still the same request', async () => {
    const first = await startOrder('fp-restart', withCvv('123'))
    const { orderId } = (await first.json()) as { orderId: string }
    await service.restart()
    const replay = await startOrder('fp-restart', withCvv('123'))
    expect(replay.status).toBe(201)
    expect(replay.headers.get('Idempotent-Replayed')).toBe('true')
    expect(((await replay.json()) as { orderId: string }).orderId).toBe(orderId)
  }, 60_000)
})

describe('retention', () => {
  it('prunes idempotency records and inbox rows older than their retention, and keeps the rest', async () => {
    const paidOrder = (await (await startOrder('kept', withCvv('123'))).json()) as { orderId: string }
    await waitFor(
      async () => {
        const order = (await (await fetch(`${service.baseUrl}/orders/${paidOrder.orderId}`, { headers: await service.buyerHeaders('alice') })).json()) as {
          status: string
        }
        return order.status === 'paid'
      },
      { timeoutMs: 30_000, what: 'the order to be paid' },
    )
    const inbox = await service.sql('SELECT event_id, subscriber FROM inbox ORDER BY rowid')
    expect(inbox.length).toBeGreaterThan(1)
    const [keptRow] = inbox.slice(-1)
    // Age everything but the last inbox row and the `kept` key past the defaults (7 and 30 days).
    const aged = new Date(Date.now() - 31 * 86_400_000).toISOString()
    await service.sql('UPDATE idempotency_keys SET created_at = ? WHERE key NOT LIKE \'%"kept"]\'', [aged])
    await service.sql('UPDATE inbox SET received_at = ? WHERE NOT (event_id = ? AND subscriber = ?)', [
      aged,
      String(keptRow!.event_id),
      String(keptRow!.subscriber),
    ])

    await service.restart() // housekeeping prunes at start-up, then hourly
    const left = async (table: string, column: string) => Number((await service.sql(`SELECT COUNT(*) AS n FROM ${table} WHERE ${column} = ?`, [aged]))[0]?.n)
    await waitFor(async () => (await left('idempotency_keys', 'created_at')) === 0, { what: 'old idempotency records pruned' })
    await waitFor(async () => (await left('inbox', 'received_at')) === 0, { what: 'old inbox rows pruned' })
    expect(
      await service.sql('SELECT event_id, subscriber FROM inbox WHERE event_id = ? AND subscriber = ?', [
        String(keptRow!.event_id),
        String(keptRow!.subscriber),
      ]),
    ).toHaveLength(1)

    // A pruned key is forgotten (the command runs again); a kept one still replays.
    expect((await startOrder('fp-123', withCvv('123'))).headers.get('Idempotent-Replayed')).toBeNull()
    const kept = await startOrder('kept', withCvv('123'))
    expect(kept.headers.get('Idempotent-Replayed')).toBe('true')
    expect(((await kept.json()) as { orderId: string }).orderId).toBe(paidOrder.orderId)
  }, 90_000)
})

describe('an upgrade from unkeyed fingerprints', () => {
  it('replaces the plain SHA-256 ones (card data inside) and keeps the keyed ones', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'herald-upgrade-'))
    const database = openDatabase({ url: `file:${join(dir, 'herald.db')}` })
    try {
      // The database as the version before keyed fingerprints left it: the toolkit's first three migrations, an old fingerprint.
      const previous = join(dir, 'migrations')
      cpSync(TOOLKIT_MIGRATIONS, previous, { recursive: true })
      const journal = JSON.parse(readFileSync(join(previous, 'meta/_journal.json'), 'utf8')) as { entries: { tag: string }[] }
      journal.entries = journal.entries.slice(
        0,
        journal.entries.findIndex((e) => e.tag === '0003_scrub_card_fingerprints'),
      )
      writeFileSync(join(previous, 'meta/_journal.json'), JSON.stringify(journal))
      await migrate(drizzle(database.client), { migrationsFolder: previous, migrationsTable: '__herald_migrations_herald' })
      const insert = 'INSERT INTO idempotency_keys (key, request_hash, status_code, response, created_at) VALUES (?, ?, 201, ?, ?)'
      const at = new Date().toISOString()
      await database.client.execute({ sql: insert, args: ['old', sha256(canonicalJson(withCvv('123'))), '{}', at] })
      await database.client.execute({ sql: insert, args: ['new', 'h1:abc', '{}', at] })

      await migrateDatabase(database)
      const { rows } = await database.client.execute('SELECT key, request_hash FROM idempotency_keys ORDER BY key')
      expect(rows.map((r) => [r.key, r.request_hash])).toEqual([
        ['new', 'h1:abc'],
        ['old', 'scrubbed'],
      ])
    } finally {
      database.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
