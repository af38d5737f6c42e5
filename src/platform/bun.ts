import { mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { createHerald } from './app.ts'
import { loadConfig } from './config.ts'
import { DEV_QSTASH, qstashMessaging, qstashSettingsFromEnv } from './messaging/qstash.ts'
import { syncUrlGroups } from './messaging/subscriptions.ts'
import { openDatabase } from './store/database.ts'
import { migrateDatabase } from './store/migrate.ts'

/**
 * Bun entry (`bun run dev`): embedded libSQL file, migrations applied, catalog seeded, and —
 * when no QSTASH_TOKEN is set — the local QStash-compatible broker started alongside.
 */
const env = process.env
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
  // Imported lazily so nothing of the dev broker loads when real QStash is configured.
  const { startBroker } = await import('../dev/broker.ts')
  const port = Number(env.QSTASH_DEV_PORT ?? 8080)
  const dbUrl = env.QSTASH_DEV_DB ?? `file:${join(dirname(databaseFile ?? './data/herald.db'), 'qstash-dev.db')}`
  const broker = await startBroker({ port, dbUrl, ...(env.QSTASH_DEV_DELAY_SCALE ? { retryDelayScale: Number(env.QSTASH_DEV_DELAY_SCALE) } : {}) })
  stopBroker = broker.stop
  settings = { url: broker.url, ...DEV_QSTASH }
  console.log(`[herald] local QStash-compatible broker on ${broker.url} (dev only)`)
}

const herald = createHerald({ database, config, messaging: qstashMessaging(settings, { relayMode: 'immediate' }) })
await herald.catalog.seed()
await syncUrlGroups(herald.messaging.qstash!, herald.urlGroupPlan(), config.publicUrl)
const server = Bun.serve({ port: config.port, hostname: '0.0.0.0', fetch: herald.app.fetch })
console.log(`[herald] listening on ${config.publicUrl} (port ${server.port}); database ${config.databaseUrl}`)

const sweepMs = Number(env.OUTBOX_SWEEP_MS ?? 2000)
const sweep = setInterval(() => {
  herald.relay?.sweep().catch((error) => console.error('[herald] outbox sweep failed:', (error as Error).message))
}, sweepMs)

if (!production && !env.ADMIN_TOKEN) console.log('[herald] admin routes use the dev token "dev-admin-token" (set ADMIN_TOKEN to change it)')

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, async () => {
    clearInterval(sweep)
    server.stop()
    await stopBroker?.()
    database.close()
    process.exit(0)
  })
}

/** Production must not run on dev defaults: no admin token or signing keys means refuse to start. */
function assertProductionReady(isProduction: boolean, vars: typeof env): void {
  if (!isProduction) return
  const missing = ['ADMIN_TOKEN', 'QSTASH_TOKEN', 'QSTASH_CURRENT_SIGNING_KEY', 'QSTASH_NEXT_SIGNING_KEY', 'PUBLIC_URL'].filter((name) => !vars[name])
  if (missing.length > 0) {
    console.error(`[herald] refusing to start in production without ${missing.join(', ')}`)
    process.exit(1)
  }
}
