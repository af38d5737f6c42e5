/**
 * Defaults shared with Upstash's own dev server (`@upstash/qstash`'s `DEV_CREDENTIALS`), so the
 * SDK's dev mode (`QSTASH_DEV=true`) and any code configured for it work against this broker.
 */
import type { Clock } from './clock.ts'

export const DEV_TOKEN = 'eyJVc2VySUQiOiJkZWZhdWx0VXNlciIsIlBhc3N3b3JkIjoiZGVmYXVsdFBhc3N3b3JkIn0='
export const DEV_CURRENT_SIGNING_KEY = 'sig_7kYjw48mhY7kAjqNGcy6cr29RJ6r'
export const DEV_NEXT_SIGNING_KEY = 'sig_5ZB6DVzB1wjE8S6rZ7eenA8Pdnhs'
export const DEFAULT_PORT = 8080
export const DEFAULT_DB_URL = 'file:./data/qstash-dev.db'
export const DEFAULT_HOSTNAME = '127.0.0.1'
/** In-flight delivery attempts at once. */
export const DEFAULT_CONCURRENCY = 16
/** Per-attempt HTTP timeout unless the message sets `Upstash-Timeout`. */
export const DEFAULT_TIMEOUT_MS = 30_000

export interface BrokerOptions {
  /** 0 picks a free port. Default 8080. */
  port?: number
  /** libSQL URL of the broker's own file. Default `file:./data/qstash-dev.db`. */
  dbUrl?: string
  token?: string
  currentSigningKey?: string
  nextSigningKey?: string
  /** Multiplier for delays and retry backoff (e.g. 0.001 in tests). Default 1. */
  retryDelayScale?: number
  /** Default 127.0.0.1. */
  hostname?: string
  /** Default 16. */
  concurrency?: number
  /** Default 30 s. */
  defaultTimeoutMs?: number
  /** Log entries kept, newest first (`GET /v2/logs`). Default 10,000, as QStash. */
  logRetention?: number
  /** The broker's time (due times, delays, schedules). Tests inject a manual one; default the system's. */
  clock?: Clock
}

/**
 * Options from `QSTASH_DEV_PORT`, `QSTASH_DEV_DB`, `QSTASH_DEV_DELAY_SCALE`, `QSTASH_DEV_HOSTNAME`,
 * `QSTASH_DEV_LOG_RETENTION`, and the credentials `QSTASH_DEV_TOKEN`,
 * `QSTASH_DEV_CURRENT_SIGNING_KEY`, `QSTASH_DEV_NEXT_SIGNING_KEY` (default: the public dev ones),
 * so a production-shaped service, which refuses the public values, can run against this broker.
 */
export function optionsFromEnv(env: Record<string, string | undefined>): BrokerOptions {
  const number = (name: string): number | undefined => {
    const raw = env[name]
    if (raw === undefined || raw === '') return undefined
    const value = Number(raw)
    if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number, got "${raw}"`)
    return value
  }
  return {
    port: number('QSTASH_DEV_PORT'),
    dbUrl: env.QSTASH_DEV_DB || undefined,
    retryDelayScale: number('QSTASH_DEV_DELAY_SCALE'),
    hostname: env.QSTASH_DEV_HOSTNAME || undefined,
    logRetention: number('QSTASH_DEV_LOG_RETENTION'),
    token: env.QSTASH_DEV_TOKEN || undefined,
    currentSigningKey: env.QSTASH_DEV_CURRENT_SIGNING_KEY || undefined,
    nextSigningKey: env.QSTASH_DEV_NEXT_SIGNING_KEY || undefined,
  }
}

/** Shows a secret only by its start, for log lines. */
export function redact(secret: string): string {
  return `${secret.slice(0, 8)}…`
}
