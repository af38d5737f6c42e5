import type { AuthSettings } from './hono/auth.ts'
import { DEV_QSTASH } from './messaging/dev-credentials.ts'

/** The toolkit's service configuration, read from an env-like record (process.env, Worker bindings, Deno.env). */
export interface HeraldConfig {
  readonly port: number
  readonly publicUrl: string
  readonly databaseUrl: string
  readonly databaseAuthToken: string | undefined
  readonly adminToken: string | undefined
  /** The key of Idempotency-Key fingerprints (`IDEMPOTENCY_SECRET`; default: the admin token). */
  readonly idempotencySecret: string | undefined
  readonly maxBodyBytes: number
  /** This service's name, on its dashboard and in its logs (`HERALD_SERVICE`, default `herald`). */
  readonly serviceName: string
  /** Other services' base URLs whose parts of a chain the dashboard joins (`HERALD_PEERS`, comma-separated). */
  readonly peers: readonly string[]
  /** The bearer token for the peers' endpoint (`HERALD_PEER_TOKEN`, default the admin token). */
  readonly peerToken: string | undefined
  /** Commands get 503 `BACKPRESSURE.OUTBOX_FULL` while more outbox rows than this are pending (`OUTBOX_MAX_PENDING`, default 10000; 0 turns the check off). */
  readonly outboxMaxPending: number
  /** `NODE_ENV=production` (always on Workers): https-only, public-address-only webhook subscriptions. */
  readonly production: boolean
  /** How long an external endpoint has to answer the subscription handshake (`WEBHOOK_HANDSHAKE_TIMEOUT_MS`, default 5000). */
  readonly handshakeTimeoutMs: number
  /** JWT verification (`AUTH_JWKS_URL`, `AUTH_ISSUER`, `AUTH_AUDIENCE`, `AUTH_OPERATOR_SCOPE`); undefined: open (development). */
  readonly auth: AuthSettings | undefined
}

export type Env = Readonly<Record<string, string | undefined>>

/** What production (a service with NODE_ENV=production, and every Worker) refuses to start without. */
export const PRODUCTION_SETTINGS = [
  'QSTASH_TOKEN',
  'QSTASH_CURRENT_SIGNING_KEY',
  'QSTASH_NEXT_SIGNING_KEY',
  'PUBLIC_URL',
  'AUTH_JWKS_URL',
  'AUTH_ISSUER',
  'AUTH_AUDIENCE',
] as const

/** The shortest admin token production accepts. */
export const MIN_ADMIN_TOKEN_LENGTH = 32

/** Values everybody knows — the dev admin token, the local broker's (and Upstash's dev server's) credentials — by variable. */
const PUBLIC_VALUES: Readonly<Record<string, readonly string[]>> = {
  ADMIN_TOKEN: ['dev-admin-token'],
  HERALD_PEER_TOKEN: ['dev-admin-token'],
  IDEMPOTENCY_SECRET: ['dev-admin-token', 'herald-development-idempotency-secret'],
  QSTASH_TOKEN: [DEV_QSTASH.token],
  QSTASH_CURRENT_SIGNING_KEY: [DEV_QSTASH.currentSigningKey, DEV_QSTASH.nextSigningKey],
  QSTASH_NEXT_SIGNING_KEY: [DEV_QSTASH.currentSigningKey, DEV_QSTASH.nextSigningKey],
}

/** Secrets set to a public development value, by name. */
export function publicSecrets(env: Env): string[] {
  return Object.entries(PUBLIC_VALUES).flatMap(([name, known]) =>
    env[name] && known.includes(env[name]) ? [`${name} is a public development value; set a secret of your own`] : [],
  )
}

/** An admin token or idempotency secret short enough to guess. */
export function weakSecrets(env: Env): string[] {
  return ['ADMIN_TOKEN', 'IDEMPOTENCY_SECRET'].flatMap((name) => {
    const secret = env[name]
    return secret && secret.length < MIN_ADMIN_TOKEN_LENGTH ? [`${name} is shorter than ${MIN_ADMIN_TOKEN_LENGTH} characters`] : []
  })
}

/** `QSTASH_DEV` turns on the QStash SDK's dev mode, whose Receiver accepts deliveries signed with the public dev keys. */
export function qstashDevMode(env: Env): string[] {
  return env.QSTASH_DEV ? ["QSTASH_DEV is set (the QStash SDK's dev mode trusts the public dev signing keys); unset it"] : []
}

/** Why production must not start with `env` (none: it may). Each check names the variable, never its value. */
export function unsafeForProduction(env: Env): string[] {
  return [...qstashDevMode(env), ...weakSecrets(env), ...publicSecrets(env)]
}

export function loadConfig(env: Env): HeraldConfig {
  const port = integer(env.PORT, 3000, 'PORT')
  return {
    port,
    publicUrl: (env.PUBLIC_URL ?? `http://${reachableHost(env.HOST)}:${port}`).replace(/\/$/, ''),
    databaseUrl: env.DATABASE_URL ?? 'file:./data/herald.db',
    databaseAuthToken: env.DATABASE_AUTH_TOKEN ?? env.TURSO_AUTH_TOKEN,
    adminToken: env.ADMIN_TOKEN || undefined,
    idempotencySecret: env.IDEMPOTENCY_SECRET || undefined,
    maxBodyBytes: integer(env.MAX_BODY_BYTES, 256 * 1024, 'MAX_BODY_BYTES'),
    serviceName: env.HERALD_SERVICE || 'herald',
    peers: (env.HERALD_PEERS ?? '')
      .split(',')
      .map((url) => url.trim().replace(/\/$/, ''))
      .filter(Boolean),
    peerToken: env.HERALD_PEER_TOKEN || env.ADMIN_TOKEN || undefined,
    outboxMaxPending: integer(env.OUTBOX_MAX_PENDING, 10_000, 'OUTBOX_MAX_PENDING'),
    production: env.NODE_ENV === 'production',
    handshakeTimeoutMs: integer(env.WEBHOOK_HANDSHAKE_TIMEOUT_MS, 5000, 'WEBHOOK_HANDSHAKE_TIMEOUT_MS'),
    auth: env.AUTH_JWKS_URL
      ? {
          jwksUrl: env.AUTH_JWKS_URL,
          issuer: env.AUTH_ISSUER ?? '',
          audience: env.AUTH_AUDIENCE ?? '',
          operatorScope: env.AUTH_OPERATOR_SCOPE || 'herald:operator',
        }
      : undefined,
  }
}

/** How long dedupe records are kept: the service and the Worker read the same two settings. */
export interface RetentionSettings {
  /**
   * How long a command's Idempotency-Key is honoured (`IDEMPOTENCY_RETENTION_HOURS`, default 168, at
   * least 24): a client retrying later than that runs the command again.
   */
  readonly idempotencyRetentionHours: number
  /**
   * How long a handled delivery's dedupe row is kept (`INBOX_RETENTION_HOURS`, default 720, at least
   * 48). It must outlast QStash's retry window (each retry waits at most a day, so N retries end
   * within about N days) and any manual DLQ retry, or a late redelivery runs its handler again.
   */
  readonly inboxRetentionHours: number
}

/** Reads and checks the retention settings; a bad value throws, naming the variable. */
export function loadRetentionSettings(env: Env): RetentionSettings {
  return {
    idempotencyRetentionHours: integer(env.IDEMPOTENCY_RETENTION_HOURS, 168, 'IDEMPOTENCY_RETENTION_HOURS', 24),
    inboxRetentionHours: integer(env.INBOX_RETENTION_HOURS, 720, 'INBOX_RETENTION_HOURS', 48),
  }
}

/** What a long-running service (Bun, Deno, Node) reads beyond {@link HeraldConfig}: its loops, its shutdown, the local broker. */
export interface ServiceSettings extends RetentionSettings {
  /**
   * The address the HTTP server listens on (`HOST`): by default 127.0.0.1 in development (nothing
   * beyond this machine reaches an open dev service) and 0.0.0.0 in production (behind its proxy).
   */
  readonly host: string
  /** How often the outbox sweep publishes what the immediate relay missed (`OUTBOX_SWEEP_MS`, default 2000). */
  readonly outboxSweepMs: number
  /** How long the dashboard's delivery log is kept (`DELIVERY_LOG_RETENTION_HOURS`, default 168). */
  readonly deliveryLogRetentionHours: number
  /** How long a graceful stop may take (`SHUTDOWN_GRACE_MS`, default 10000). */
  readonly shutdownGraceMs: number
  /** QStash's per-delivery timeout (`DELIVERY_TIMEOUT_SECONDS`; default: QStash's own). */
  readonly deliveryTimeoutSeconds: number | undefined
  /** The local broker started when no QSTASH_TOKEN is set (`QSTASH_DEV_PORT`, `QSTASH_DEV_DB`, `QSTASH_DEV_DELAY_SCALE`). */
  readonly devBroker: { readonly port: number; readonly dbUrl: string | undefined; readonly delayScale: number | undefined }
}

/** Reads and checks the service's settings once, at start-up: a bad value stops it, naming the variable. */
export function loadServiceSettings(env: Env): ServiceSettings {
  const timeout = env.DELIVERY_TIMEOUT_SECONDS
  const scale = env.QSTASH_DEV_DELAY_SCALE
  return {
    host: host(env.HOST, env.NODE_ENV === 'production' ? '0.0.0.0' : '127.0.0.1'),
    outboxSweepMs: integer(env.OUTBOX_SWEEP_MS, 2000, 'OUTBOX_SWEEP_MS', 1),
    deliveryLogRetentionHours: integer(env.DELIVERY_LOG_RETENTION_HOURS, 168, 'DELIVERY_LOG_RETENTION_HOURS', 1),
    ...loadRetentionSettings(env),
    shutdownGraceMs: integer(env.SHUTDOWN_GRACE_MS, 10_000, 'SHUTDOWN_GRACE_MS'),
    deliveryTimeoutSeconds: timeout ? integer(timeout, 0, 'DELIVERY_TIMEOUT_SECONDS', 1) : undefined,
    devBroker: {
      port: integer(env.QSTASH_DEV_PORT, 8080, 'QSTASH_DEV_PORT'),
      dbUrl: env.QSTASH_DEV_DB || undefined,
      delayScale: scale ? positiveNumber(scale, 'QSTASH_DEV_DELAY_SCALE') : undefined,
    },
  }
}

/** Where this machine reaches a server bound to `host` (the default PUBLIC_URL's host): loopback for any-address binds. */
function reachableHost(host: string | undefined): string {
  if (!host || host === '0.0.0.0' || host === '::') return '127.0.0.1'
  return host.includes(':') ? `[${host}]` : host
}

/** A whole number of at least `min` (default 0), or the fallback when unset; anything else names the variable. */
export function integer(value: string | undefined, fallback: number, name: string, min = 0): number {
  if (value === undefined || value === '') return fallback
  const parsed = Number(value)
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(parsed) || parsed < min) {
    throw new Error(`${name} must be ${min > 0 ? `an integer of at least ${min}` : 'a non-negative integer'}, got "${value}"`)
  }
  return parsed
}

const HOST_NAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i
const IPV6 = /^[0-9a-f]*:[0-9a-f:.]*$/i

/** An IPv4 address or host name (the same characters) or an IPv6 address to listen on, or the fallback when unset. */
function host(value: string | undefined, fallback: string): string {
  if (value === undefined || value === '') return fallback
  if (!HOST_NAME.test(value) && !IPV6.test(value)) {
    throw new Error(`HOST must be an IP address or a host name to listen on, got "${value}"`)
  }
  return value
}

function positiveNumber(value: string, name: string): number {
  const parsed = Number(value)
  if (value.trim() === '' || !Number.isFinite(parsed) || parsed <= 0) throw new Error(`${name} must be a positive number, got "${value}"`)
  return parsed
}
