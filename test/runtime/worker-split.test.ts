import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { type Broker, startBroker } from '../../src/dev/broker.ts'
import { type LibsqlHttpServer, startLibsqlHttpServer } from '../fixtures/libsql-http/server.ts'
import { orderBody } from '../support/herald.ts'
import { waitFor } from '../support/wait-for.ts'
import {
  freePort,
  PRIVATE_QSTASH,
  PRODUCTION_ADMIN_TOKEN,
  run,
  type Service,
  startJwks,
  startWranglerDev,
  waitUntilServing,
  wranglerEnv,
  writeWorkerEnv,
} from './support.ts'

/*
 * The split reference app on Cloudflare Workers: the `ordering` and `fulfilment` environments of
 * wrangler.toml, each dry-run-built as it would deploy and served by its own `wrangler dev`
 * (workerd), each on its own Turso stand-in (test/fixtures/libsql-http: no Turso server can run
 * here), one local QStash-compatible broker between them.
 */

const ROOT = resolve(import.meta.dir, '../..')
const WRANGLER = join(ROOT, 'node_modules/.bin/wrangler')
const TURSO_TOKEN = 'test-turso-token'

interface Side {
  readonly env: 'ordering' | 'fulfilment'
  fixture: LibsqlHttpServer
  worker: Service
  url: string
}

let dir: string
let broker: Broker
let jwks: Awaited<ReturnType<typeof startJwks>>
let operator: Record<string, string>
const sides: Side[] = []

async function startSide(env: Side['env']): Promise<Side> {
  const fixture = await startLibsqlHttpServer({ dbPath: join(dir, `${env}.db`), authToken: TURSO_TOKEN })
  const contexts = env === 'ordering' ? 'ordering,notifications' : 'catalog,payment'
  // Each Turso database gets only its service's schema: `HERALD_CONTEXTS=… npm run db:migrate`.
  await run(process.execPath, ['run', 'scripts/migrate.ts'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: fixture.url, DATABASE_AUTH_TOKEN: TURSO_TOKEN, HERALD_CONTEXTS: contexts },
    timeoutMs: 30_000,
  })
  const outdir = join(dir, `build-${env}`)
  await run(WRANGLER, ['deploy', '--dry-run', '--env', env, '--outdir', outdir], { cwd: ROOT, env: wranglerEnv() })
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  // The environment's [vars] come from wrangler.toml; the secrets (and this run's URL) from here.
  const envFile = writeWorkerEnv(join(dir, `${env}.env`), {
    databaseUrl: fixture.url,
    databaseToken: TURSO_TOKEN,
    brokerUrl: broker.url,
    publicUrl: url,
    adminToken: PRODUCTION_ADMIN_TOKEN,
    jwksUrl: jwks.url,
  })
  const worker = await startWranglerDev(ROOT, {
    bundle: join(outdir, 'worker.js'),
    config: join(ROOT, 'wrangler.toml'),
    env,
    port,
    envFile,
    persistTo: join(dir, `state-${env}`),
  })
  // A side that never serves is stopped here: afterAll only knows the sides that started.
  await waitUntilServing(`${url}/health`, worker, 45_000).catch(async (error) => {
    await worker.stop()
    await fixture.stop()
    throw error
  })
  return { env, fixture, worker, url }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'herald-worker-split-'))
  broker = await startBroker({ port: 0, dbUrl: `file:${join(dir, 'qstash.db')}`, retryDelayScale: 0.001, ...PRIVATE_QSTASH })
  jwks = await startJwks()
  operator = { Authorization: `Bearer ${await jwks.token('ops', 'herald:operator')}` }
  sides.push(await startSide('ordering'), await startSide('fulfilment'))
}, 150_000)

afterAll(async () => {
  for (const side of sides) {
    await side.worker.stop()
    await side.fixture.stop()
  }
  await broker?.stop()
  jwks?.stop()
  rmSync(dir, { recursive: true, force: true })
})

describe('the split app as two Workers (wrangler environments ordering and fulfilment)', () => {
  it('walks an order to paid across the two Workers', async () => {
    const [ordering, fulfilment] = sides as [Side, Side]
    // The first request of each isolate seeds and syncs its URL groups (in waitUntil).
    await waitFor(async () => ((await fetch(`${fulfilment.url}/catalog/items`, { headers: operator })).ok ? true : undefined), {
      what: 'the fulfilment Worker',
    })
    await waitFor(
      async () => {
        const groups = (await (await fetch(`${broker.url}/v2/topics`, { headers: { Authorization: `Bearer ${PRIVATE_QSTASH.token}` } })).json()) as {
          name: string
        }[]
        return groups.some((g) => g.name === 'herald.ordering.OrderStatusChangedToAwaitingValidation.v1') ? true : undefined
      },
      { what: 'the fulfilment Worker to subscribe' },
    )
    const created = await fetch(`${ordering.url}/orders`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...operator },
      body: JSON.stringify(orderBody()),
    })
    expect(created.status).toBe(201)
    const { orderId } = (await created.json()) as { orderId: string }
    await waitFor(
      async () =>
        ((await (await fetch(`${ordering.url}/orders/${orderId}`, { headers: operator })).json()) as { status: string }).status === 'paid' ? true : undefined,
      { timeoutMs: 30_000, what: `order ${orderId} to be paid` },
    )
    expect((await fetch(`${ordering.url}/catalog/items`, { headers: operator })).status).toBe(404)
    expect((await fetch(`${fulfilment.url}/orders/${orderId}`, { headers: operator })).status).toBe(404)
  })
})
