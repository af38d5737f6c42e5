import { createClient } from '@libsql/client/web'
import { type Env, loadConfig, loadRetentionSettings, PRODUCTION_SETTINGS, type RetentionSettings, unsafeForProduction } from '../config.ts'
import type { AnyContext } from '../context.ts'
import { createHerald, type Herald } from '../herald.ts'
import { qstashMessaging } from '../messaging/qstash.ts'
import { syncUrlGroups } from '../messaging/subscriptions.ts'
import { type Database, fromClient } from '../store/database.ts'
import { pruneDedupeRecords } from './retention.ts'

/**
 * The Cloudflare Workers handler a service's Worker entry exports (`export default
 * createWorker(contexts)`; `wrangler.toml` → `main`). Everything comes from bindings, never
 * from `process.env`: Turso over HTTP (`@libsql/client/web`, no native code, no migrator — run
 * `npm run db:migrate` against Turso instead), real QStash, and the outbox relay deferred
 * to `ctx.waitUntil` so it runs after the response. The cron trigger sweeps what a relay missed.
 */
export interface WorkerEnv {
  /** Turso: `libsql://<db>-<org>.turso.io` (or `https://…`). */
  readonly DATABASE_URL: string
  readonly DATABASE_AUTH_TOKEN?: string
  readonly QSTASH_URL?: string
  readonly QSTASH_TOKEN: string
  readonly QSTASH_CURRENT_SIGNING_KEY: string
  readonly QSTASH_NEXT_SIGNING_KEY: string
  /** The Worker's public base URL: QStash calls it, and signatures are bound to it. */
  readonly PUBLIC_URL: string
  readonly ADMIN_TOKEN?: string
  /** The key of Idempotency-Key fingerprints; default ADMIN_TOKEN (one of them is required). */
  readonly IDEMPOTENCY_SECRET?: string
  readonly AUTH_JWKS_URL?: string
  readonly AUTH_ISSUER?: string
  readonly AUTH_AUDIENCE?: string
  readonly AUTH_OPERATOR_SCOPE?: string
  readonly GRACE_PERIOD_MS?: string
  /** Bound on the outbox backlog before commands get 503 (default 10000). */
  readonly OUTBOX_MAX_PENDING?: string
  /** How long Idempotency-Keys and inbox rows are kept (hours; defaults 168 and 720), pruned by the cron trigger. */
  readonly IDEMPOTENCY_RETENTION_HOURS?: string
  readonly INBOX_RETENTION_HOURS?: string
}

/** The subset of the Workers runtime types this entry uses (the project is typed for Bun). */
export interface WorkerContext {
  waitUntil(promise: Promise<unknown>): void
  passThroughOnException?(): void
}

export interface ScheduledController {
  readonly scheduledTime: number
  readonly cron: string
  noRetry?(): void
}

interface Isolate {
  readonly herald: Herald
  /** Its database and how long dedupe records stay there (the cron trigger prunes them). */
  readonly database: Database
  readonly retention: RetentionSettings
  /**
   * URL-group sync + seed data, once per isolate: `pending` until a request starts it, `running`
   * while that request's `waitUntil` does it, `ready` after; back to `pending` when it fails so a
   * later request retries. A state, never a shared promise: workerd cancels a request that awaits
   * a promise another request started, as hung.
   */
  setup: 'pending' | 'running' | 'ready'
}

function buildHerald(env: WorkerEnv, contexts: readonly AnyContext[]): Omit<Isolate, 'setup'> {
  // A Worker is production: JWTs on every public route, so the AUTH_* bindings are required too.
  // No file database here: DATABASE_URL (Turso) is required too.
  const required = ['DATABASE_URL', ...PRODUCTION_SETTINGS] as const
  const missing: string[] = required.filter((name) => !env[name])
  // Idempotency fingerprints are keyed: by IDEMPOTENCY_SECRET, or the admin token.
  if (!env.IDEMPOTENCY_SECRET && !env.ADMIN_TOKEN) missing.push('IDEMPOTENCY_SECRET (or ADMIN_TOKEN)')
  if (missing.length > 0) throw new Error(`[herald] missing Worker bindings: ${missing.join(', ')} (see wrangler.toml)`)
  const unsafe = unsafeForProduction(env as unknown as Env)
  if (unsafe.length > 0) throw new Error(`[herald] unsafe Worker bindings: ${unsafe.join('; ')}`)

  // Only what the Worker needs goes into loadConfig: no PORT default leaks into publicUrl.
  const config = loadConfig({
    PUBLIC_URL: env.PUBLIC_URL,
    DATABASE_URL: env.DATABASE_URL,
    DATABASE_AUTH_TOKEN: env.DATABASE_AUTH_TOKEN,
    ADMIN_TOKEN: env.ADMIN_TOKEN,
    IDEMPOTENCY_SECRET: env.IDEMPOTENCY_SECRET,
    // A Worker is production: https-only, public-only webhook subscriptions; JWTs when AUTH_* are bound.
    NODE_ENV: 'production',
    AUTH_JWKS_URL: env.AUTH_JWKS_URL,
    AUTH_ISSUER: env.AUTH_ISSUER,
    AUTH_AUDIENCE: env.AUTH_AUDIENCE,
    AUTH_OPERATOR_SCOPE: env.AUTH_OPERATOR_SCOPE,
    OUTBOX_MAX_PENDING: env.OUTBOX_MAX_PENDING,
  })
  // The web build explicitly: HTTP (Hrana) only, no native binding, no `file:` URLs.
  const client = createClient({ url: config.databaseUrl, ...(config.databaseAuthToken ? { authToken: config.databaseAuthToken } : {}) })
  const messaging = qstashMessaging(
    {
      url: env.QSTASH_URL || 'https://qstash.upstash.io',
      token: env.QSTASH_TOKEN,
      currentSigningKey: env.QSTASH_CURRENT_SIGNING_KEY,
      nextSigningKey: env.QSTASH_NEXT_SIGNING_KEY,
    },
    { relayMode: 'deferred' },
  )
  const database = fromClient(client)
  const retention = loadRetentionSettings(env as unknown as Env)
  return { herald: createHerald({ database, contexts, config, messaging }), database, retention }
}

/**
 * Syncs the URL groups and writes the seed data, in the calling request's `waitUntil`, then
 * relays what the isolate committed meanwhile. Both are idempotent, so two isolates doing it at
 * once is harmless.
 */
async function runSetup(isolate: Isolate): Promise<void> {
  isolate.setup = 'running'
  const { herald } = isolate
  try {
    await herald.seed()
    await syncUrlGroups(herald.messaging.qstash!, herald.urlGroupPlan(), herald.config.publicUrl)
    isolate.setup = 'ready'
  } catch (error) {
    isolate.setup = 'pending'
    console.error('[herald] start-up setup (seed data, URL groups) failed; the next request retries:', error)
    return
  }
  await herald.flushRelay().catch((error: unknown) => console.error('[herald] relay failed; the cron sweep will retry:', error))
}

/**
 * The Worker's `fetch` and `scheduled` handlers for the contexts `compose` picks from the
 * bindings. One Herald per isolate and bindings object (bindings are stable for an isolate's
 * lifetime).
 */
export function createWorker(compose: (env: Env) => readonly AnyContext[]) {
  const isolates = new WeakMap<object, Isolate>()
  const isolateFor = (env: WorkerEnv): Isolate => {
    let isolate = isolates.get(env)
    if (!isolate) {
      isolate = { ...buildHerald(env, compose(env as unknown as Env)), setup: 'pending' }
      isolates.set(env, isolate)
    }
    return isolate
  }
  return {
    async fetch(request: Request, env: WorkerEnv, ctx: WorkerContext): Promise<Response> {
      let isolate: Isolate
      try {
        isolate = isolateFor(env)
      } catch (error) {
        console.error((error as Error).message)
        return misconfigured(error as Error)
      }
      const setting = isolate.setup === 'pending' ? runSetup(isolate) : undefined
      const { herald } = isolate
      const response = await herald.app.fetch(request, env, ctx as never)
      // The immediate relay, after the response: publish what this isolate committed since the last
      // flush — this request's rows and any a concurrent request left. Not before the URL groups
      // exist: while the setup runs, its request relays when it is done.
      if (setting) ctx.waitUntil(setting)
      else if (isolate.setup === 'ready') {
        ctx.waitUntil(herald.flushRelay().catch((error: unknown) => console.error('[herald] relay failed; the cron sweep will retry:', error)))
      }
      return response
    },

    async scheduled(_controller: ScheduledController, env: WorkerEnv, ctx: WorkerContext): Promise<void> {
      const isolate = isolateFor(env)
      ctx.waitUntil((isolate.setup === 'pending' ? runSetup(isolate) : Promise.resolve()).then(() => sweep(isolate)).then(() => prune(isolate)))
    },
  }
}

/** The cron trigger's sweep: publishes what the immediate relays missed. */
async function sweep({ herald }: Isolate): Promise<void> {
  if (!herald.relay) return
  await herald.relay.sweep().then(
    (report) => {
      if (report.published > 0 || report.failed > 0) console.log(`[herald] outbox sweep: ${report.published} published, ${report.failed} failed`)
    },
    (error: unknown) => console.error('[herald] outbox sweep failed:', error),
  )
}

/** The cron trigger's retention: idempotency records and inbox rows past theirs (indexed: reads only those). */
async function prune({ database, retention }: Isolate): Promise<void> {
  await pruneDedupeRecords(database, retention).catch((error: unknown) => console.error('[herald] idempotency/inbox prune failed:', error))
}

/** The Worker cannot start without its bindings: say which are missing (names only, never values). */
function misconfigured(error: Error): Response {
  return new Response(JSON.stringify({ type: 'about:blank', title: 'Service misconfigured', status: 500, code: 'CONFIG.INVALID', detail: error.message }), {
    status: 500,
    // Outside the app, so without its middleware: the same headers every answer carries.
    headers: { 'Content-Type': 'application/problem+json', 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-store' },
  })
}
