import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { Database as SqliteFile } from 'bun:sqlite'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { Client } from '@upstash/qstash'
import { type Broker, startBroker } from '../../src/dev/broker.ts'
import { type LibsqlHttpServer, startLibsqlHttpServer } from '../fixtures/libsql-http/server.ts'
import { orderBody } from '../support/herald.ts'
import { waitFor } from '../support/wait-for.ts'
import {
  buildWorker,
  freePort,
  PRIVATE_QSTASH,
  PRODUCTION_ADMIN_TOKEN,
  run,
  type Service,
  startJwks,
  startWranglerDev,
  waitUntilServing,
  writeWorkerEnv,
} from './support.ts'

/*
 * The Worker (src/service/worker.ts) under workerd, started by `wrangler dev` from npm, exactly as
 * bundled for Cloudflare (the `wrangler deploy --dry-run` output). Real processes and real HTTP everywhere — wrangler/workerd, the local
 * QStash-compatible broker, the real @upstash/qstash SDK inside the Worker — with ONE stand-in:
 * there is no Turso here, so the database is test/fixtures/libsql-http (a libSQL-over-HTTP "Hrana"
 * server on a SQLite file) that the Worker's `@libsql/client/web` talks to as it would to Turso.
 * The fixture records every pipeline request, which is how we count round-trips per command.
 */

const ROOT = resolve(import.meta.dir, '../..')
/**
 * What the cron trigger does, on demand: miniflare's trigger endpoint, which `wrangler dev` always
 * serves. (`--test-scheduled`'s `/__scheduled` is middleware wrangler bundles into the Worker, so it
 * does not exist with `--no-bundle`, and the deploy artefact must not carry it anyway.)
 */
const SCHEDULED = '/cdn-cgi/handler/scheduled?cron=*+*+*+*+*'
const TURSO_TOKEN = 'test-turso-token'
const ADMIN_TOKEN = PRODUCTION_ADMIN_TOKEN
const RETRY_DELAY_SCALE = 0.001

let dir: string
let dbPath: string
let brokerDb: string
let fixture: LibsqlHttpServer | undefined
let broker: Broker | undefined
let brokerPort: number
let worker: Service | undefined
let publicUrl: string
let qstash: Client

/** Read-only look at the fixture's SQLite file, beside its HTTP server (not recorded as Worker traffic). */
function query<T>(sql: string, ...args: (string | number)[]): T[] {
  const file = new SqliteFile(dbPath, { readonly: true })
  try {
    return file.query(sql).all(...args) as T[]
  } finally {
    file.close()
  }
}

let jwks: Awaited<ReturnType<typeof startJwks>> | undefined
/** An operator's JWT (the Worker wants one on every route but the public ones). */
let operator: Record<string, string> = {}

const json = async <T = any>(path: string, init?: RequestInit): Promise<T> => {
  const response = await fetch(`${publicUrl}${path}`, { ...init, headers: { ...operator, ...(init?.headers as Record<string, string>) } })
  if (!response.ok) throw new Error(`${init?.method ?? 'GET'} ${path} → ${response.status}: ${await response.text()}`)
  return response.json() as Promise<T>
}

async function placeOrder(body: unknown): Promise<string> {
  const response = await fetch(`${publicUrl}/orders`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...operator },
    body: JSON.stringify(body),
  })
  if (response.status !== 201) throw new Error(`POST /orders → ${response.status}: ${await response.text()}\n${worker?.output()}`)
  return ((await response.json()) as { orderId: string }).orderId
}

const orderReaches = (orderId: string, status: string, timeoutMs = 20_000) =>
  waitFor(async () => ((await json(`/orders/${orderId}`)).status === status ? true : undefined), {
    timeoutMs,
    intervalMs: 50,
    what: `order ${orderId} to be ${status}`,
  })

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'herald-worker-'))
  dbPath = join(dir, 'turso.db')
  fixture = await startLibsqlHttpServer({ dbPath, authToken: TURSO_TOKEN })
  // The schema goes in as it goes into Turso: `npm run db:migrate` over HTTP.
  await run(process.execPath, ['run', 'scripts/migrate.ts'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: fixture.url, DATABASE_AUTH_TOKEN: TURSO_TOKEN },
    timeoutMs: 30_000,
  })
  fixture.resetCounts()
  jwks = await startJwks()
  operator = { Authorization: `Bearer ${await jwks.token('ops', 'herald:operator')}` }

  brokerDb = `file:${join(dir, 'qstash.db')}`
  broker = await startBroker({ port: 0, dbUrl: brokerDb, retryDelayScale: RETRY_DELAY_SCALE, ...PRIVATE_QSTASH })
  brokerPort = broker.port
  qstash = new Client({ baseUrl: broker.url, token: PRIVATE_QSTASH.token })

  // The deploy artefact itself: `wrangler deploy --dry-run` output, served with --no-bundle (so no
  // watcher rebuilds and reloads the Worker mid-test when a source file changes).
  const { bundlePath } = await buildWorker(ROOT, join(dir, 'build'))
  for (let attempt = 1; ; attempt++) {
    const port = await freePort()
    publicUrl = `http://127.0.0.1:${port}`
    const envFile = writeWorkerEnv(join(dir, 'worker.env'), {
      databaseUrl: fixture.url,
      databaseToken: TURSO_TOKEN,
      brokerUrl: broker.url,
      publicUrl,
      adminToken: ADMIN_TOKEN,
      jwksUrl: jwks!.url,
    })
    worker = await startWranglerDev(ROOT, { bundle: bundlePath, config: join(ROOT, 'wrangler.toml'), port, envFile, persistTo: join(dir, 'wrangler-state') })
    try {
      await waitUntilServing(`${publicUrl}/health`, worker, 45_000)
      break
    } catch (error) {
      await worker.stop()
      // The port we picked was free a moment ago; if something took it meanwhile, pick another.
      if (attempt >= 3 || !/already in use/i.test(worker.output())) throw error
    }
  }
}, 60_000)

afterAll(async () => {
  if (process.env.HERALD_TEST_VERBOSE) console.log(worker?.output())
  await worker?.stop()
  await broker?.stop().catch(() => undefined)
  await fixture?.stop()
  jwks?.stop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

describe('Herald on Cloudflare Workers (workerd via wrangler dev, Turso stand-in over HTTP)', () => {
  it('seeds the catalog and syncs the URL groups once, on its first request', async () => {
    const groups = await waitFor(
      async () => {
        const list = await qstash.urlGroups.list()
        // Every group the plan names, so the isolate's start-up sync is over before the next tests.
        const names = new Set(list.map((g) => g.name))
        const all = ['herald.ordering.OrderStatusChangedToPaid.v1', 'herald.payment.OrderPaymentSucceeded.v1', 'herald.payment.OrderPaymentFailed.v1']
        return all.every((name) => names.has(name)) ? list : undefined
      },
      { what: 'the Worker to create its URL groups' },
    )
    const paid = groups.find((g) => g.name === 'herald.ordering.OrderStatusChangedToPaid.v1')!
    expect(paid.endpoints.map((e) => e.url)).toContain(`${publicUrl}/subscribers/notifications`)
    const items = await json<{ id: string; stock: number }[]>('/catalog/items')
    expect(items.find((i) => i.id === 'mug')?.stock).toBe(1000)
  })

  it('verifies JWTs under workerd: anonymous is 401, a buyer orders as themself', async () => {
    // `wrangler dev` may restart the Worker mid-request ("try sending the request again"): each call
    // has a deadline and is sent again, with an Idempotency-Key so a repeat has one effect.
    const send = (path: string, init: RequestInit = {}) =>
      waitFor(
        async () => {
          const response = await fetch(`${publicUrl}${path}`, { ...init, signal: AbortSignal.timeout(5000) }).catch(() => undefined)
          return response && response.status !== 503 ? response : undefined
        },
        { timeoutMs: 40_000, what: `${init.method ?? 'GET'} ${path} to be answered` },
      )
    const anonymous = await send('/orders', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(orderBody()) })
    expect(anonymous.status).toBe(401)
    const buyer = { Authorization: `Bearer ${await jwks!.token('alice')}`, 'Content-Type': 'application/json' }
    expect((await send('/orders?buyerId=alice', { headers: buyer })).status).toBe(200)
    // Stickers: the next test counts mugs.
    const stickers = orderBody({ items: [{ productId: 'sticker', productName: 'Sticker pack', unitPrice: 4, units: 1 }] })
    const created = await send('/orders', { method: 'POST', headers: { ...buyer, 'Idempotency-Key': 'jwt-alice-1' }, body: JSON.stringify(stickers) })
    expect(created.status, await created.clone().text()).toBe(201)
    const forSomeoneElse = await send('/orders', {
      method: 'POST',
      headers: buyer,
      body: JSON.stringify(orderBody({ buyer: { id: 'bob', name: 'B', email: 'b@example.com' } })),
    })
    expect(forSomeoneElse.status).toBe(403)
  }, 150_000)

  it('takes an order through every context to paid', async () => {
    const orderId = await placeOrder(orderBody())
    await orderReaches(orderId, 'paid')
    const types = (await json<{ type: string }[]>(`/orders/${orderId}/events`)).map((e) => e.type)
    expect(types.at(-1)).toBe('OrderStatusChangedToPaid')
    // Wait for the last consumers (stock removed, buyer mailed) so no delivery is still running.
    await waitFor(async () => (await json<{ id: string; stock: number; reserved: number }[]>('/catalog/items')).find((i) => i.id === 'mug')?.stock === 998, {
      what: 'mug stock removed',
    })
    await waitFor(async () => (await json<{ kind: string }[]>('/notifications?buyerId=alice')).some((m) => m.kind === 'order-paid'), {
      what: 'order-paid mail',
    })
    await waitFor(() => query<{ n: number }>("SELECT COUNT(*) AS n FROM outbox WHERE status != 'published'")[0]!.n === 0, { what: 'an empty outbox' })
  }, 30_000)

  it('commits POST /orders in ONE write batch, and the cron sweep publishes what the immediate relay could not', async () => {
    // Quiet first: nothing left to deliver (the broker's queue is empty) and nothing left to
    // publish, in one look, so no delivery of the previous flow commits after the count starts.
    const brokerQueue = new SqliteFile(brokerDb.slice('file:'.length), { readonly: true })
    try {
      await waitFor(
        () =>
          (brokerQueue.query('SELECT COUNT(*) AS n FROM messages').get() as { n: number }).n === 0 &&
          query<{ n: number }>("SELECT COUNT(*) AS n FROM outbox WHERE status != 'published'")[0]!.n === 0,
        { timeoutMs: 20_000, what: 'the broker and the outbox to be empty' },
      )
    } finally {
      brokerQueue.close()
    }
    // The broker goes down: the relay after the response fails, and nothing gets delivered, so
    // every database request from here on belongs to this one POST /orders.
    await broker!.stop()
    const before = new Set(query<{ id: string }>('SELECT id FROM outbox').map((r) => r.id))
    fixture!.resetCounts()

    const orderId = await placeOrder(orderBody({ buyer: { id: 'bob', name: 'Bob', email: 'bob@example.com' } }))
    const atResponse = fixture!.requests.length
    // The deferred relay (ctx.waitUntil) claims the new rows, fails to publish (the SDK retries a few
    // times first) and records the failure; wait until it has, so the count below is complete.
    let mine: { id: string; status: string; attempts: number; lease_until: string | null; last_error: string | null }[] = []
    const fresh = await waitFor(
      () => {
        mine = query<(typeof mine)[number]>('SELECT id, status, attempts, lease_until, last_error FROM outbox').filter((r) => !before.has(r.id))
        return mine.length > 0 && mine.every((r) => r.attempts >= 1 && r.status === 'pending' && r.last_error) ? mine : undefined
      },
      { timeoutMs: 20_000, what: 'the immediate relay to fail while the broker is down' },
    ).catch((error: Error) => {
      throw new Error(
        `${error.message}\nnew outbox rows: ${JSON.stringify(mine)}\ndatabase requests: ${JSON.stringify(fixture!.requests)}\nworker output:\n${worker!.output()}`,
      )
    })

    const requests = [...fixture!.requests]
    const writeBatches = requests.filter((r) => r.kinds.includes('batch') && r.writes)
    const reads = requests.filter((r) => !r.writes)
    const relayWrites = requests.filter((r) => r.writes && !r.kinds.includes('batch'))
    console.log(
      `POST /orders on the Worker: ${requests.length} database requests (${atResponse} by the time the response arrived) — ` +
        `reads: ${reads.length}, write batches: ${writeBatches.length} (of ${writeBatches[0]?.statements} statements), ` +
        `relay updates in waitUntil: ${relayWrites.length} (claim + mark ${fresh.length} outbox rows)`,
    )
    expect(writeBatches, JSON.stringify(writeBatches)).toHaveLength(1)
    expect(writeBatches[0]!.kinds).toEqual(expect.arrayContaining(['batch']))
    // Everything else is a read or the relay's claim/mark `execute`s: no second commit, no transaction.
    expect(requests.filter((r) => r.writes && r !== writeBatches[0]).every((r) => r.kinds.includes('execute') && !r.kinds.includes('batch'))).toBe(true)
    // The relay claims the rows in one UPDATE and records their outcomes in one more, however many rows there are.
    expect(fresh.length).toBeGreaterThan(1)
    expect(relayWrites).toHaveLength(2)

    // The broker comes back (same port, same file); only the scheduled handler's sweep can now
    // publish the rows, since no request to the Worker carries them any more.
    broker = await startBroker({ port: brokerPort, dbUrl: brokerDb, retryDelayScale: RETRY_DELAY_SCALE, ...PRIVATE_QSTASH })
    await waitFor(
      async () => {
        const trigger = await fetch(`${publicUrl}${SCHEDULED}`)
        expect(trigger.status).toBe(200)
        await trigger.text()
        const rows = query<{ id: string; status: string }>('SELECT id, status FROM outbox')
        return fresh.every((f) => rows.find((r) => r.id === f.id)?.status === 'published')
      },
      { timeoutMs: 20_000, intervalMs: 200, what: 'the scheduled sweep to publish the rows the relay left behind' },
    )
    // The scheduled handler logs its report (wrangler forwards workerd's output a moment later).
    await waitFor(() => /\[herald\] outbox sweep: [1-9]\d* published/.test(worker!.output()), { what: "the scheduled handler's sweep report" })
    await orderReaches(orderId, 'paid')
  }, 45_000)
})
