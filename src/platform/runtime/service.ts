import { lookup } from 'node:dns/promises'
import { mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type { AnyContext } from '../context.ts'
import { createHerald, type Herald } from '../herald.ts'
import { type Env, type HeraldConfig, loadConfig, PRODUCTION_SETTINGS, unsafeForProduction } from '../config.ts'
import { DEV_QSTASH, qstashMessaging, qstashSettingsFromEnv } from '../messaging/qstash.ts'
import { syncUrlGroups } from '../messaging/subscriptions.ts'
import { openDatabase } from '../store/database.ts'
import { migrateDatabase } from '../store/migrate.ts'
import { loggerFromEnv } from '../telemetry/logger.ts'
import { startTelemetry } from '../telemetry/sdk.ts'

/** What a runtime supplies: its HTTP server. */
export type Serve = (options: { port: number; fetch: (request: Request) => Response | Promise<Response> }) => Promise<{
  port: number
  stop(): Promise<void>
}>

export interface Service {
  readonly herald: Herald
  readonly config: HeraldConfig
  readonly port: number
  stop(): Promise<void>
}

// A long-running service also serves /admin, so it needs its own token (the dev one is refused).
const PRODUCTION_REQUIRES = ['ADMIN_TOKEN', ...PRODUCTION_SETTINGS]

/** Production must not run on dev defaults: the variables it would be missing, if any. */
export function missingForProduction(env: Env): string[] {
  return env.NODE_ENV === 'production' ? PRODUCTION_REQUIRES.filter((name) => !env[name]) : []
}

/** What an entry prints, one line each, before it exits 1 rather than start production with `env` (none: it may start). */
export function productionRefusals(env: Env): string[] {
  if (env.NODE_ENV !== 'production') return []
  const missing = missingForProduction(env)
  return [
    ...(missing.length > 0 ? [`refusing to start in production without ${missing.join(', ')}`] : []),
    ...unsafeForProduction(env).map((why) => `refusing to start in production: ${why}`),
  ]
}

/**
 * The long-running service the Bun and Deno entries share: embedded libSQL file with the
 * toolkit's and the contexts' migrations, the local QStash-compatible broker when no QSTASH_TOKEN
 * is set, seed data, URL groups synced, HTTP served, and a periodic outbox sweep.
 */
export async function startService(env: Env, serve: Serve, runtime: string, compose: (env: Env) => readonly AnyContext[]): Promise<Service> {
  const contexts = compose(env)
  const production = env.NODE_ENV === 'production'
  const config = loadConfig({ ...env, ADMIN_TOKEN: env.ADMIN_TOKEN ?? (production ? undefined : 'dev-admin-token') })

  const databaseFile = config.databaseUrl.startsWith('file:') ? config.databaseUrl.slice('file:'.length) : undefined
  if (databaseFile) mkdirSync(dirname(databaseFile), { recursive: true })
  const database = openDatabase({ url: config.databaseUrl, ...(config.databaseAuthToken ? { authToken: config.databaseAuthToken } : {}) })
  await migrateDatabase(database, contexts)

  let settings = qstashSettingsFromEnv(env)
  let stopBroker: (() => Promise<void>) | undefined
  if (!settings) {
    // Imported lazily so nothing of the dev broker loads when real QStash is configured.
    const { startBroker } = await import('../../dev/broker.ts')
    const credentials = {
      token: env.QSTASH_DEV_TOKEN || DEV_QSTASH.token,
      currentSigningKey: env.QSTASH_DEV_CURRENT_SIGNING_KEY || DEV_QSTASH.currentSigningKey,
      nextSigningKey: env.QSTASH_DEV_NEXT_SIGNING_KEY || DEV_QSTASH.nextSigningKey,
    }
    const broker = await startBroker({
      port: Number(env.QSTASH_DEV_PORT ?? 8080),
      dbUrl: env.QSTASH_DEV_DB ?? `file:${join(dirname(databaseFile ?? './data/herald.db'), 'qstash-dev.db')}`,
      ...(env.QSTASH_DEV_DELAY_SCALE ? { retryDelayScale: Number(env.QSTASH_DEV_DELAY_SCALE) } : {}),
      ...credentials,
    })
    stopBroker = broker.stop
    settings = { url: broker.url, ...credentials }
    console.log(`[herald] local QStash-compatible broker on ${broker.url} (dev only)`)
  }

  const timeout = env.DELIVERY_TIMEOUT_SECONDS ? { timeoutSeconds: Number(env.DELIVERY_TIMEOUT_SECONDS) } : {}
  // Before composing: the service's instruments are made on the MeterProvider this registers.
  const telemetry = startTelemetry(env, { serviceName: config.serviceName })
  const logger = loggerFromEnv(env, Boolean(globalThis.process?.stdout?.isTTY))
  const herald = createHerald({
    database,
    contexts,
    config,
    messaging: qstashMessaging({ ...settings, ...timeout }, { relayMode: 'immediate' }),
    telemetry: { metrics: telemetry.scrape },
    logger,
    resolveHost: async (hostname) => (await lookup(hostname, { all: true })).map((a) => a.address),
  })
  await herald.seed()
  await syncUrlGroups(herald.messaging.qstash!, herald.urlGroupPlan(), config.publicUrl)
  // While draining, every answer closes its connection, so keep-alive clients stop reusing one we are about to close.
  let draining = false
  const server = await serve({
    port: config.port,
    fetch: async (request) => {
      const response = await herald.app.fetch(request)
      if (draining) response.headers.set('Connection', 'close')
      return response
    },
  })
  console.log(
    `[herald] ${runtime}: listening on ${config.publicUrl} (port ${server.port}); database ${withoutCredentials(config.databaseUrl)}; QStash ${withoutCredentials(settings.url)}; contexts ${herald.contexts.join(', ')}`,
  )
  if (!production && !env.ADMIN_TOKEN) console.log('[herald] admin routes use the dev token "dev-admin-token" (set ADMIN_TOKEN to change it)')
  if (!config.auth) console.log('[herald] auth: open (development: no AUTH_JWKS_URL), every route but /admin answers anyone')

  const sweep = setInterval(
    () => {
      herald.relay
        ?.sweep()
        .then((report) => (report.published > 0 || report.failed > 0 ? logger.info('relay sweep', { ...report }) : undefined))
        .catch((error) => logger.error('outbox sweep failed', { error }))
    },
    Number(env.OUTBOX_SWEEP_MS ?? 2000),
  )
  // The delivery log is telemetry for the dashboard: keep a week of it (DELIVERY_LOG_RETENTION_HOURS).
  const retentionMs = Number(env.DELIVERY_LOG_RETENTION_HOURS ?? 168) * 3_600_000
  const prune = setInterval(() => {
    const before = new Date(Date.now() - retentionMs).toISOString()
    herald.observability.deliveryLog.pruneBefore(before).catch((error) => console.error('[herald] delivery-log prune failed:', (error as Error).message))
  }, 3_600_000)

  return {
    herald,
    config,
    port: server.port,
    /**
     * A graceful stop (SIGTERM in a rolling deploy): no new connections, in-flight requests get
     * their answers (and with them their commits), the relay publishes once more, all within
     * `SHUTDOWN_GRACE_MS` (default 10 s). Whatever is left is durable in the outbox for the next start.
     */
    async stop() {
      clearInterval(sweep)
      clearInterval(prune)
      const graceMs = Number(env.SHUTDOWN_GRACE_MS ?? 10_000)
      draining = true
      const drained = (async () => {
        await server.stop()
        await herald.drain()
      })().then(
        () => true,
        (error) => console.error('[herald] drain on shutdown failed; the outbox keeps the rest:', (error as Error).message),
      )
      const inTime = await Promise.race([drained, new Promise((resolve) => setTimeout(() => resolve(false), graceMs).unref?.())])
      if (!inTime) console.error(`[herald] shutdown: not drained within ${graceMs} ms; stopping anyway (the outbox keeps what is unpublished)`)
      await stopBroker?.()
      database.close()
      await telemetry.shutdown()
    },
  }
}

/** A URL for a log line: no user, password or query string (Turso tokens travel as `?authToken=`). */
export function withoutCredentials(url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.protocol === 'file:') return url.split('?')[0]!
    return `${parsed.protocol}//${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`
  } catch {
    return url.split('?')[0]!.replace(/\/\/[^@/]*@/, '//')
  }
}
