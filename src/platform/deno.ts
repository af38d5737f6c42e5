import { mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { createHerald } from './app.ts'
import { type Env, loadConfig } from './config.ts'
import { DEV_QSTASH, qstashMessaging, qstashSettingsFromEnv } from './messaging/qstash.ts'
import { syncUrlGroups } from './messaging/subscriptions.ts'
import { openDatabase } from './store/database.ts'
import { migrateDatabase } from './store/migrate.ts'

/**
 * Deno entry: `deno run -A src/platform/deno.ts`. The same app as the Bun entry on `Deno.serve`:
 * embedded libSQL file (`@libsql/client` resolves to its Node build under Deno's npm
 * compatibility), migrations applied, catalog seeded, URL groups synced, a periodic outbox sweep.
 * Without QSTASH_TOKEN it starts the local QStash-compatible broker, like `bun run dev`.
 */

/** The little of the Deno namespace this entry uses (the project is type-checked with Bun's types). */
declare const Deno: {
  readonly env: { toObject(): Record<string, string> }
  serve(
    options: { port: number; hostname?: string; onListen?: (addr: { port: number; hostname: string }) => void },
    handler: (request: Request) => Response | Promise<Response>,
  ): { readonly finished: Promise<void>; shutdown(): Promise<void> }
  addSignalListener(signal: 'SIGINT' | 'SIGTERM', handler: () => void): void
  exit(code?: number): never
}

const env: Env = Deno.env.toObject()
const production = env.NODE_ENV === 'production'
const config = loadConfig({ ...env, ADMIN_TOKEN: env.ADMIN_TOKEN ?? (production ? undefined : 'dev-admin-token') })
assertProductionReady(production, env)

const databaseFile = config.databaseUrl.startsWith('file:') ? config.databaseUrl.slice('file:'.length) : undefined
if (databaseFile) mkdirSync(dirname(databaseFile), { recursive: true })
const database = openDatabase({ url: config.databaseUrl, ...(config.databaseAuthToken ? { authToken: config.databaseAuthToken } : {}) })
await migrateDatabase(database)

let settings = qstashSettingsFromEnv(env)
let stopBroker: (() => Promise<void>) | undefined
if (!settings) {
  const port = Number(env.QSTASH_DEV_PORT ?? 8080)
  const dbUrl = env.QSTASH_DEV_DB ?? `file:${join(dirname(databaseFile ?? './data/herald.db'), 'qstash-dev.db')}`
  try {
    // Imported lazily so nothing of the dev broker loads when real QStash is configured.
    const { startBroker } = await import('../dev/broker.ts')
    const broker = await startBroker({ port, dbUrl, ...(env.QSTASH_DEV_DELAY_SCALE ? { retryDelayScale: Number(env.QSTASH_DEV_DELAY_SCALE) } : {}) })
    stopBroker = broker.stop
    settings = { url: broker.url, ...DEV_QSTASH }
    console.log(`[herald] local QStash-compatible broker on ${broker.url} (dev only)`)
  } catch (error) {
    console.error(
      '[herald] could not start the local QStash-compatible broker under Deno:',
      (error as Error).message,
      `\n[herald] run it beside this process with \`npm run broker\` (QSTASH_DEV_PORT=${port}) and start again with ` +
        `QSTASH_URL=http://127.0.0.1:${port} and the dev credentials (QSTASH_TOKEN, QSTASH_CURRENT_SIGNING_KEY, QSTASH_NEXT_SIGNING_KEY ` +
        'from DEV_QSTASH in src/platform/messaging/qstash.ts), or point QSTASH_* at real QStash.',
    )
    database.close()
    Deno.exit(1)
  }
}

const herald = createHerald({ database, config, messaging: qstashMessaging(settings, { relayMode: 'immediate' }) })
await herald.catalog.seed()
const listening = Promise.withResolvers<number>()
const server = Deno.serve({ port: config.port, hostname: '0.0.0.0', onListen: ({ port }) => listening.resolve(port) }, (request) =>
  herald.app.fetch(request),
)
const port = await listening.promise
await syncUrlGroups(herald.messaging.qstash!, herald.urlGroupPlan(), config.publicUrl)

const sweepMs = Number(env.OUTBOX_SWEEP_MS ?? 2000)
const sweep = setInterval(() => {
  herald.relay?.sweep().catch((error) => console.error('[herald] outbox sweep failed:', (error as Error).message))
}, sweepMs)

console.log(`[herald] listening on ${config.publicUrl} (port ${port}, Deno); database ${config.databaseUrl}`)
if (!production && !env.ADMIN_TOKEN) console.log('[herald] admin routes use the dev token "dev-admin-token" (set ADMIN_TOKEN to change it)')

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  Deno.addSignalListener(signal, async () => {
    clearInterval(sweep)
    await server.shutdown()
    await stopBroker?.()
    database.close()
    Deno.exit(0)
  })
}

/** Production must not run on dev defaults: no admin token or signing keys means refuse to start. */
function assertProductionReady(isProduction: boolean, vars: Env): void {
  if (!isProduction) return
  const missing = ['ADMIN_TOKEN', 'QSTASH_TOKEN', 'QSTASH_CURRENT_SIGNING_KEY', 'QSTASH_NEXT_SIGNING_KEY', 'PUBLIC_URL'].filter((name) => !vars[name])
  if (missing.length > 0) {
    console.error(`[herald] refusing to start in production without ${missing.join(', ')}`)
    Deno.exit(1)
  }
}
