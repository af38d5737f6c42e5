import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { Database as SqliteFile } from 'bun:sqlite'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { type Broker, startBroker } from '../../src/dev/broker.ts'
import { createWorker, type WorkerEnv } from '../../src/platform/runtime/worker.ts'
import { selectContexts } from '../../src/service/contexts.ts'
import { type LibsqlHttpServer, startLibsqlHttpServer } from '../fixtures/libsql-http/server.ts'
import { PRIVATE_QSTASH, PRODUCTION_ADMIN_TOKEN, run, startJwks, TEST_AUDIENCE, TEST_ISSUER } from '../runtime/support.ts'

/*
 * The Worker's cron trigger prunes idempotency records and inbox rows past their retention, as the
 * long-running service's housekeeping does. Its handlers run here in-process against the Turso
 * stand-in over HTTP (the real `@libsql/client/web`) and the local broker with private keys.
 */

const ROOT = resolve(import.meta.dir, '../..')
const TOKEN = 'turso-token'
let dir: string
let dbPath: string
let fixture: LibsqlHttpServer
let broker: Broker
let jwks: Awaited<ReturnType<typeof startJwks>>

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'herald-worker-retention-'))
  dbPath = join(dir, 'turso.db')
  fixture = await startLibsqlHttpServer({ dbPath, authToken: TOKEN })
  await run(process.execPath, ['run', 'scripts/migrate.ts'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: fixture.url, DATABASE_AUTH_TOKEN: TOKEN },
    timeoutMs: 30_000,
  })
  broker = await startBroker({ port: 0, dbUrl: `file:${join(dir, 'qstash.db')}`, ...PRIVATE_QSTASH })
  jwks = await startJwks()
}, 60_000)

afterAll(async () => {
  await broker?.stop()
  await fixture?.stop()
  jwks?.stop()
  rmSync(dir, { recursive: true, force: true })
})

describe("the Worker's cron trigger", () => {
  it('prunes idempotency records and inbox rows older than their retention, and keeps the rest', async () => {
    const file = new SqliteFile(dbPath)
    file.exec('PRAGMA busy_timeout = 5000')
    const now = Date.now()
    const at = (daysAgo: number) => new Date(now - daysAgo * 86_400_000).toISOString()
    const key = file.prepare("INSERT INTO idempotency_keys (key, request_hash, status_code, response, created_at) VALUES (?, 'h1:x', 201, '{}', ?)")
    const seen = file.prepare(
      "INSERT INTO inbox (event_id, subscriber, event_type, received_at) VALUES (?, 'notifications', 'herald.ordering.BuyerRegistered.v2', ?)",
    )
    key.run('recent-key', at(6))
    key.run('expired-key', at(8)) // past IDEMPOTENCY_RETENTION_HOURS' default (7 days)
    seen.run('recent-event', at(29))
    seen.run('expired-event', at(31)) // past INBOX_RETENTION_HOURS' default (30 days)

    const env: WorkerEnv = {
      DATABASE_URL: fixture.url,
      DATABASE_AUTH_TOKEN: TOKEN,
      QSTASH_URL: broker.url,
      QSTASH_TOKEN: PRIVATE_QSTASH.token,
      QSTASH_CURRENT_SIGNING_KEY: PRIVATE_QSTASH.currentSigningKey,
      QSTASH_NEXT_SIGNING_KEY: PRIVATE_QSTASH.nextSigningKey,
      PUBLIC_URL: 'https://herald.example.com',
      ADMIN_TOKEN: PRODUCTION_ADMIN_TOKEN,
      AUTH_JWKS_URL: jwks.url,
      AUTH_ISSUER: TEST_ISSUER,
      AUTH_AUDIENCE: TEST_AUDIENCE,
    }
    const pending: Promise<unknown>[] = []
    await createWorker(selectContexts).scheduled({ scheduledTime: now, cron: '* * * * *' }, env, { waitUntil: (promise) => pending.push(promise) })
    await Promise.all(pending)

    const column = (sql: string) =>
      file
        .query(sql)
        .all()
        .map((row) => Object.values(row as Record<string, unknown>)[0])
    expect(column('SELECT key FROM idempotency_keys ORDER BY key')).toEqual(['recent-key'])
    expect(column('SELECT event_id FROM inbox ORDER BY event_id')).toEqual(['recent-event'])
    file.close()
  }, 60_000)
})
