import { lookup } from 'node:dns/promises'
import { mkdirSync } from 'node:fs'
import { basename, dirname, extname, join } from 'node:path'
import type { AnyContext } from '../context.ts'
import { createHerald, type Herald } from '../herald.ts'
import { type Env, type HeraldConfig, loadConfig, loadServiceSettings, PRODUCTION_SETTINGS, type ServiceSettings, unsafeForProduction } from '../config.ts'
import { DEV_QSTASH, qstashMessaging, qstashSettingsFromEnv } from '../messaging/qstash.ts'
import { syncUrlGroups } from '../messaging/subscriptions.ts'
import { type Database, openDatabase } from '../store/database.ts'
import { migrateDatabase } from '../store/migrate.ts'
import { type Logger, loggerFromEnv } from '../telemetry/logger.ts'
import { startTelemetry } from '../telemetry/sdk.ts'
import { pruneDedupeRecords } from './retention.ts'

/** What a runtime supplies: its HTTP server, listening on `hostname` (the `HOST` setting). */
export type Serve = (options: { port: number; hostname: string; fetch: (request: Request) => Response | Promise<Response> }) => Promise<{
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
  const production = env.NODE_ENV === 'production'
  // Every setting is read and checked here, before anything starts: a bad one stops it, named.
  const config = loadConfig({ ...env, ADMIN_TOKEN: env.ADMIN_TOKEN ?? (production ? undefined : 'dev-admin-token') })
  const service = loadServiceSettings(env)
  const contexts = compose(env)

  const databaseFile = config.databaseUrl.startsWith('file:') ? config.databaseUrl.slice('file:'.length) : undefined
  if (databaseFile) mkdirSync(dirname(databaseFile), { recursive: true })
  const database = openDatabase({ url: config.databaseUrl, ...(config.databaseAuthToken ? { authToken: config.databaseAuthToken } : {}) })
  await migrateDatabase(database, contexts)

  const { settings, stopBroker } = await brokerSettings(env, service.devBroker, databaseFile)

  const timeout = service.deliveryTimeoutSeconds ? { timeoutSeconds: service.deliveryTimeoutSeconds } : {}
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
  const server = await onPort('PORT', config.port, () =>
    serve({
      port: config.port,
      hostname: service.host,
      fetch: async (request) => {
        const response = await herald.app.fetch(request)
        if (draining) response.headers.set('Connection', 'close')
        return response
      },
    }),
  )
  console.log(
    `[herald] ${runtime}: listening on ${config.publicUrl} (${service.host} port ${server.port}); database ${withoutCredentials(config.databaseUrl)}; QStash ${withoutCredentials(settings.url)}; contexts ${herald.contexts.join(', ')}`,
  )
  if (!production && !env.ADMIN_TOKEN) console.log('[herald] admin routes use the dev token "dev-admin-token" (set ADMIN_TOKEN to change it)')
  if (!config.auth) console.log('[herald] auth: open (development: no AUTH_JWKS_URL), every route but /admin answers anyone')

  const stopHousekeeping = housekeeping(herald, database, service, logger)

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
      stopHousekeeping()
      const graceMs = service.shutdownGraceMs
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

/** Real QStash when QSTASH_TOKEN is set; otherwise the local QStash-compatible broker, started here. */
async function brokerSettings(env: Env, devBroker: ServiceSettings['devBroker'], databaseFile: string | undefined) {
  const configured = qstashSettingsFromEnv(env)
  if (configured) return { settings: configured, stopBroker: undefined }
  // Imported lazily so nothing of the dev broker loads when real QStash is configured.
  const { startBroker } = await import('../../dev/broker.ts')
  const { port, dbUrl, delayScale } = devBroker
  // The broker's own credentials: the public dev ones unless a production-shaped stack sets private ones.
  const credentials = {
    token: env.QSTASH_DEV_TOKEN || DEV_QSTASH.token,
    currentSigningKey: env.QSTASH_DEV_CURRENT_SIGNING_KEY || DEV_QSTASH.currentSigningKey,
    nextSigningKey: env.QSTASH_DEV_NEXT_SIGNING_KEY || DEV_QSTASH.nextSigningKey,
  }
  const broker = await onPort('QSTASH_DEV_PORT', port, () =>
    startBroker({ port, dbUrl: dbUrl ?? devBrokerDbUrl(databaseFile, port), ...(delayScale ? { retryDelayScale: delayScale } : {}), ...credentials }),
  )
  console.log(`[herald] local QStash-compatible broker on ${broker.url} (dev only)`)
  return { settings: { url: broker.url, ...credentials }, stopBroker: broker.stop }
}

/** The periodic outbox sweep and the retention pruning (now, then hourly); the returned function stops both. */
function housekeeping(herald: Herald, database: Database, settings: ServiceSettings, logger: Logger): () => void {
  const sweep = setInterval(() => {
    herald.relay
      ?.sweep()
      .then((report) => (report.published > 0 || report.failed > 0 ? logger.info('relay sweep', { ...report }) : undefined))
      .catch((error) => logger.error('outbox sweep failed', { error }))
  }, settings.outboxSweepMs)
  const prune = () => void pruneRetained(herald, database, settings)
  prune()
  const pruning = setInterval(prune, 3_600_000)
  return () => {
    clearInterval(sweep)
    clearInterval(pruning)
  }
}

/**
 * Deletes what is past its retention: the dashboard's delivery log (telemetry), the recorded
 * responses to Idempotency-Keys and the inbox's dedupe rows (kept longer than QStash retries).
 */
async function pruneRetained(herald: Herald, database: Database, settings: ServiceSettings): Promise<void> {
  const logRetentionMs = settings.deliveryLogRetentionHours * 3_600_000
  await herald.observability.deliveryLog
    .pruneBefore(new Date(Date.now() - logRetentionMs).toISOString())
    .catch((error) => console.error('[herald] delivery-log prune failed:', (error as Error).message))
  await pruneDedupeRecords(database, settings).catch((error) => console.error('[herald] idempotency/inbox prune failed:', (error as Error).message))
}

/**
 * The dev broker's own file, named after the service's database and beside it
 * (`data/a.db` → `data/a.qstash-dev.db`), so two services side by side on two databases never
 * share a queue or URL groups; a service whose database is not a file names it after the broker's port.
 */
export function devBrokerDbUrl(databaseFile: string | undefined, brokerPort: number): string {
  if (!databaseFile || databaseFile.startsWith(':memory:')) return `file:./data/qstash-dev-${brokerPort}.db`
  const name = basename(databaseFile, extname(databaseFile))
  return `file:${join(dirname(databaseFile), `${name}.qstash-dev.db`)}`
}

/** Start-up stopped on a port another process holds; the message names the variable that moves it. */
export class PortInUse extends Error {
  constructor(
    readonly variable: string,
    readonly port: number,
  ) {
    super(`port ${port} is already in use: set ${variable} to a free port`)
    this.name = 'PortInUse'
  }
}

/** Bun, Deno and Node all report a taken port as `code: 'EADDRINUSE'`. */
async function onPort<T>(variable: string, port: number, listen: () => Promise<T>): Promise<T> {
  try {
    return await listen()
  } catch (error) {
    throw (error as { code?: unknown }).code === 'EADDRINUSE' ? new PortInUse(variable, port) : error
  }
}

/**
 * For an entry's start-up: a taken port is one line naming the variable to change, and exit
 * code 1 (a stack trace would hide what to do); anything else is thrown on.
 */
export function exitOnPortInUse(exit: (code: number) => never): (error: unknown) => never {
  return (error) => {
    if (!(error instanceof PortInUse)) throw error
    console.error(`[herald] ${error.message}`)
    return exit(1)
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
