/**
 * Where a command's time goes, without HTTP: `bun run bench/experiments/breakdown.ts
 * [--sync off|full] [--experiment a,b] [--n 4000] [--only herald]`.
 *
 * Runs POST /orders (or, with `--route ingest`, signed deliveries to /subscribers/notifications;
 * with `--route production`, POST /orders as figure 10 runs it: a bearer JWT, the OTel SDK
 * exporting to an in-process OTLP receiver, JSON request lines on stdout — redirect them)
 * through `app.request` for Herald and for the bare Hono + drizzle route,
 * in-process, alternating batches, on files with `PRAGMA synchronous` as asked (OFF by
 * default: no fsync, so what remains is CPU). Prints µs per request and the share of Herald's
 * spent inside `committer.commit`. Experiments (bench/experiments) apply to Herald, source
 * patches included. Run under `bun --cpu-prof-md` to see functions.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const args = process.argv.slice(2)
const flag = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`)
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback
}
const sync = flag('sync', 'off').toUpperCase()
const n = Number(flag('n', '4000'))
const experimentNames = flag('experiment', '').split(',').filter(Boolean)
const only = flag('only', 'both')
const route = flag('route', 'orders')

// Source patches must be registered before the app's modules load.
process.env.BENCH_EXPERIMENTS = experimentNames.join(',')
process.env.BENCH_SYNCHRONOUS = sync
await import('./preload.ts')
const { createReferenceHerald: createHerald } = await import('../../src/service/app.ts')
const { openDatabase } = await import('../../src/platform/store/database.ts')
const { migrateReferenceDatabase: migrateDatabase } = await import('../../src/service/app.ts')
const { applyExperiments, verifierFor } = await import('./index.ts')
const { JSON_HEADERS, uniqueOrderBody } = await import('../harness/fixtures.ts')
const { median } = await import('../harness/stats.ts')
const { bareIngestApp, bareOrdersApp, openBareDatabase } = await import('../servers/bare.ts')
const { signedPool } = await import('../harness/fixtures.ts')
const { startIdentityProvider } = await import('../harness/identity.ts')
const { bareAuthOrdersApp, otlpReceiverServer, productionHerald } = await import('../servers/production.ts')
type Database = import('../../src/platform/store/database.ts').Database

const dir = mkdtempSync(join(tmpdir(), 'herald-breakdown-'))
let commitNs = 0
let commits = 0

const timed = (database: Database): Database => ({
  ...database,
  committer: {
    async commit(statements) {
      const t = Bun.nanoseconds()
      await database.committer.commit(statements)
      commitNs += Bun.nanoseconds() - t
      commits++
    },
  },
})
const production = route === 'production'
const identity = production ? await startIdentityProvider() : undefined
const receiver = production ? otlpReceiverServer() : undefined
const collector = receiver ? Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: (r) => receiver.fetch(r) }) : undefined
const tag = Date.now().toString(36)
const tokens = identity ? await identity.tokens(tag, 2 * (n + 400) + 100) : []

async function heraldApp() {
  if (production) {
    const built = await productionHerald(
      { dbPath: join(dir, 'herald.db'), jwksUrl: identity!.jwksUrl, otlpUrl: `http://127.0.0.1:${collector!.port}`, experiments: experimentNames },
      'http://127.0.0.1:1',
      timed,
    )
    await built.database.client.execute(`PRAGMA synchronous = ${sync}`)
    return { app: built.herald.app, close: () => built.telemetry.shutdown().then(() => built.database.close()) }
  }
  const opened = openDatabase({ url: `file:${join(dir, 'herald.db')}` })
  await migrateDatabase(opened)
  // Sequential requests reuse one pooled connection, so the pragma set here sticks.
  await opened.client.execute(`PRAGMA synchronous = ${sync}`)
  const database: Database = applyExperiments(opened, experimentNames, join(dir, 'herald.db'))
  const app = createHerald({
    database: timed(database),
    config: { publicUrl: 'http://127.0.0.1:1' },
    messaging: { verifier: verifierFor(experimentNames) },
  }).app
  return { app, close: async () => opened.close() }
}
const { app: herald, close: closeHerald } = await heraldApp()
const bareDb = await openBareDatabase(join(dir, 'bare.db'))
await bareDb.client.execute(`PRAGMA synchronous = ${sync}`)
const bare = route === 'orders' ? bareOrdersApp(bareDb.db) : production ? bareAuthOrdersApp(bareDb.db, identity!.jwksUrl) : bareIngestApp(bareDb.db)
const INGEST = '/subscribers/notifications'
const pool = route === 'ingest' ? await signedPool('http://127.0.0.1:1', INGEST, 2 * (n + 400) + 100, 'bd') : []
const request = (k: number): Request =>
  route === 'orders' || production
    ? new Request('http://127.0.0.1:1/orders', {
        method: 'POST',
        headers: production ? { ...JSON_HEADERS, authorization: `Bearer ${tokens[k]!.token}` } : JSON_HEADERS,
        body: uniqueOrderBody(tag, k),
      })
    : new Request(`http://127.0.0.1:1${INGEST}`, {
        method: 'POST',
        headers: { 'content-type': 'application/cloudevents+json', 'upstash-signature': pool[k]!.signature },
        body: pool[k]!.body,
      })

let i = 0
async function batch(fetch: (r: Request) => Response | Promise<Response>, count: number): Promise<number> {
  const start = Bun.nanoseconds()
  for (let k = 0; k < count; k++) {
    const response = await fetch(request(i++))
    if (response.status !== 201 && response.status !== 200) throw new Error(`${route} → ${response.status}: ${await response.text()}`)
    await response.arrayBuffer()
  }
  return (Bun.nanoseconds() - start) / count / 1000
}

const rounds = 8
const per = Math.ceil(n / rounds)
const h: number[] = []
const b: number[] = []
const inCommit: number[] = []
await batch(herald.fetch, 200)
if (only !== 'herald') await batch(bare.fetch, 200)
for (let r = 0; r < rounds; r++) {
  commitNs = 0
  commits = 0
  h.push(await batch(herald.fetch, per))
  if (commits > 0) inCommit.push(commitNs / commits / 1000)
  if (only !== 'herald') b.push(await batch(bare.fetch, per))
}
// stderr: with --route production, stdout carries the request log.
console.error(
  `${route}: synchronous=${sync}${experimentNames.length ? ` experiments=${experimentNames.join(',')}` : ''}: ` +
    `herald ${median(h).toFixed(0)} µs/request${inCommit.length ? ` (${median(inCommit).toFixed(0)} µs in commit)` : ''}` +
    (b.length ? `, bare ${median(b).toFixed(0)} µs/request` : ''),
)
await closeHerald()
bareDb.client.close()
identity?.stop()
collector?.stop(true)
if (receiver) console.error(`OTLP receiver: ${JSON.stringify(receiver.control?.('counts'))}`)
rmSync(dir, { recursive: true, force: true })
