#!/usr/bin/env bun
/**
 * Standalone entry (a package `bin`): starts the dev broker and prints the four variables the
 * SDK reads, ready to paste into a shell or an `.env` file. These are the public dev
 * credentials of `@upstash/qstash`'s own dev server (or the ones passed in), so printing them
 * whole is safe — never point this at real QStash keys you want kept secret.
 *
 *   qstash-dev [--port 8080] [--db :memory: | ./qstash.db | file:…] [--retry-delay-scale 1] [--hostname 127.0.0.1]
 *
 * Default: port 8080, in-memory (nothing written; everything is lost on exit). Give `--db` a
 * file for a durable queue: messages, retries and dead letters survive a restart, as QStash's do.
 */
import { parseArgs } from 'node:util'
import { startBroker } from './broker.ts'
import { type BrokerOptions, DEFAULT_PORT, DEV_CURRENT_SIGNING_KEY, DEV_NEXT_SIGNING_KEY, DEV_TOKEN } from './config.ts'

const USAGE = `Usage: qstash-dev [options]
  --port <n>                 port to listen on (0 picks a free one; default ${DEFAULT_PORT})
  --db <:memory:|path|url>   where the broker keeps its queue (default :memory:)
  --retry-delay-scale <x>    multiply delays and retry backoff (e.g. 0.01; default 1)
  --hostname <host>          interface to bind (default 127.0.0.1)
  --help                     show this help`

export class UsageError extends Error {}

/** `--db` as a libSQL URL: `:memory:` (or `memory`), a `file:`/`libsql:` URL, or a plain path. */
export function dbUrlOf(value: string): string {
  if (value === ':memory:' || value === 'memory') return ':memory:'
  if (/^(file|libsql|http|https|ws|wss):/.test(value)) return value
  return `file:${value}`
}

export function parseCli(argv: string[]): BrokerOptions | 'help' {
  let parsed: { port?: string; db?: string; 'retry-delay-scale'?: string; hostname?: string; help?: boolean }
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        port: { type: 'string' },
        db: { type: 'string' },
        'retry-delay-scale': { type: 'string' },
        hostname: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }).values
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error))
  }
  if (parsed.help) return 'help'
  const number = (name: string, raw: string | undefined, integer: boolean): number | undefined => {
    if (raw === undefined) return undefined
    const value = Number(raw)
    if (raw.trim() === '' || !Number.isFinite(value) || value < 0 || (integer && !Number.isInteger(value))) {
      throw new UsageError(`--${name} must be a non-negative ${integer ? 'integer' : 'number'}, got "${raw}"`)
    }
    return value
  }
  const port = number('port', parsed.port, true)
  if (port !== undefined && port > 65_535) throw new UsageError(`--port must be at most 65535, got ${port}`)
  return {
    port: port ?? DEFAULT_PORT,
    dbUrl: dbUrlOf(parsed.db ?? ':memory:'),
    retryDelayScale: number('retry-delay-scale', parsed['retry-delay-scale'], false),
    hostname: parsed.hostname,
  }
}

/** The lines to paste: the URL, the token and both signing keys. */
export function envLines(url: string, options: BrokerOptions): string[] {
  return [
    `QSTASH_URL=${url}`,
    `QSTASH_TOKEN=${options.token ?? DEV_TOKEN}`,
    `QSTASH_CURRENT_SIGNING_KEY=${options.currentSigningKey ?? DEV_CURRENT_SIGNING_KEY}`,
    `QSTASH_NEXT_SIGNING_KEY=${options.nextSigningKey ?? DEV_NEXT_SIGNING_KEY}`,
  ]
}

export async function main(): Promise<void> {
  let options: BrokerOptions | 'help'
  try {
    options = parseCli(process.argv.slice(2))
  } catch (error) {
    if (!(error instanceof UsageError)) throw error
    console.error(`qstash-dev: ${error.message}\n\n${USAGE}`)
    process.exit(2)
  }
  if (options === 'help') {
    console.log(USAGE)
    return
  }
  const broker = await startBroker(options).catch((error: { code?: unknown }) => {
    if (error.code !== 'EADDRINUSE') throw error
    console.error(`qstash-dev: port ${options.port} is already in use: pass --port with a free port`)
    process.exit(1)
  })
  // stdout carries only the variables, so `qstash-dev > .env` works; the rest goes to stderr.
  console.log(envLines(broker.url, options).join('\n'))
  console.error(
    `[qstash-dev] QStash dev broker on ${broker.url}; db ${options.dbUrl}` +
      `${options.dbUrl === ':memory:' ? ' (in memory: lost on exit)' : ''}; delay scale ${options.retryDelayScale ?? 1}. Dev/test only.`,
  )
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      void broker.stop().then(() => process.exit(0))
    })
  }
}

if (import.meta.main) await main()
