import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Broker, startBroker } from '../../dev/broker.ts'
import { type Contract, eventType, type IntegrationEvent } from '../../kernel/index.ts'
import type { HeraldConfig } from '../config.ts'
import type { AnyContext } from '../context.ts'
import { createHerald, type Herald, type MessagingOptions } from '../herald.ts'
import { toStructuredCloudEvent } from '../messaging/cloud-events.ts'
import { DEV_QSTASH, qstashMessaging } from '../messaging/qstash.ts'
import { syncUrlGroups } from '../messaging/subscriptions.ts'
import type { Serve } from '../runtime/service.ts'
import { type Database, openDatabase } from '../store/database.ts'
import { migrateDatabase } from '../store/migrate.ts'
import { type WaitOptions, waitFor } from './wait-for.ts'

export interface HarnessOptions {
  /** The contexts under test, composed as a service would compose them. */
  readonly contexts: readonly AnyContext[]
  /** ISO-8601 clock (default: the system's). The broker keeps real time either way. */
  readonly clock?: () => string
  readonly newId?: () => string
  /** Service configuration; `publicUrl` is always the harness's own URL. */
  readonly config?: Partial<Omit<HeraldConfig, 'publicUrl'>>
  /** Delivery retries the broker makes per message (default 3). */
  readonly retries?: number
  /** Scales the broker's retry backoff and relative delays (default 0.001: retries take milliseconds). */
  readonly retryDelayScale?: number
  /** Outbox sweep period in ms, as the service runs it (default 250; 0 turns it off). */
  readonly sweepMs?: number
  readonly relay?: MessagingOptions['relay']
  /** Runs every context's seed at start (default true). */
  readonly seed?: boolean
  /** The HTTP server (default: `Bun.serve`, or `Deno.serve` on Deno) on a free loopback port. */
  readonly serve?: Serve
}

/** What a published event may set besides its contract, subject and data (id, time, correlation…). */
export type DeliveryMeta = Partial<Omit<IntegrationEvent, 'type' | 'version' | 'source' | 'subject' | 'data'>>

export interface ContextHarness {
  readonly herald: Herald
  /** The service's base URL (`http://127.0.0.1:<port>`): its PUBLIC_URL, which the broker calls. */
  readonly url: string
  readonly database: Database
  readonly broker: Broker
  /** A `fetch` to the running service: `request('/loans', { method: 'POST', … })`. */
  request(path: string, init?: RequestInit): Promise<Response>
  /** Polls `check` until it returns something truthy, or fails after `timeoutMs` with the last value. */
  waitFor<T>(check: () => T | Promise<T>, options?: WaitOptions): Promise<NonNullable<T>>
  /**
   * Publishes an integration event of `contract` (any registered version) to its URL group through
   * the broker, as another service's outbox relay would: a signed, structured CloudEvent delivery.
   */
  publish<D>(contract: Contract<D, never>, subject: string, data: D, meta?: DeliveryMeta): Promise<IntegrationEvent<string, D>>
  /** Stops the server, the broker and the sweep, and deletes the temporary files. */
  stop(): Promise<void>
}

/**
 * Runs contexts the way the Bun service does, on throwaway files: a temporary libSQL database
 * migrated for them, the local QStash-compatible broker on its own file, the real
 * `@upstash/qstash` Client and Receiver between them, over real HTTP on loopback. Integration
 * events, after-commit jobs and their delays all travel through the broker, signed.
 *
 * @example
 * const h = await contextHarness({ contexts: [loans({ loanPeriodMs: 300 })] })
 * const json = { 'Content-Type': 'application/json' }
 * const { loanId } = await (await h.request('/loans', { method: 'POST', headers: json, body: '{"memberId":"m-1","bookId":"b-1"}' })).json()
 * await h.request(`/loans/${loanId}/lend`, { method: 'POST' })
 * await h.waitFor(async () => (await (await h.request(`/loans/${loanId}`)).json()).status === 'overdue', { what: 'the reminder' })
 * await h.stop()
 */
export async function contextHarness(options: HarnessOptions): Promise<ContextHarness> {
  const { contexts, sweepMs = 250 } = options
  const dir = mkdtempSync(join(tmpdir(), 'herald-harness-'))
  const cleanups: (() => unknown)[] = [() => rmSync(dir, { recursive: true, force: true })]
  const stop = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await Promise.resolve(cleanup()).catch(() => undefined)
  }
  try {
    const database = openDatabase({ url: `file:${join(dir, 'herald.db')}` })
    cleanups.push(() => database.close())
    await migrateDatabase(database, contexts)
    const broker = await startBroker({ port: 0, dbUrl: `file:${join(dir, 'qstash.db')}`, retryDelayScale: options.retryDelayScale ?? 0.001 })
    cleanups.push(() => broker.stop())

    // The server must listen before the service exists: its URL is the service's PUBLIC_URL.
    let handle: (request: Request) => Response | Promise<Response> = () => new Response('starting', { status: 503 })
    const server = await (options.serve ?? serveOnLoopback)({ port: 0, hostname: '127.0.0.1', fetch: (request) => handle(request) })
    cleanups.push(() => server.stop())
    const url = `http://127.0.0.1:${server.port}`

    const messaging = qstashMessaging(
      { url: broker.url, ...DEV_QSTASH, retries: options.retries ?? 3 },
      { relayMode: 'immediate', relay: { baseBackoffMs: 20, ...options.relay } },
    )
    const herald = createHerald({
      database,
      contexts,
      messaging,
      config: { ...options.config, publicUrl: url },
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.newId ? { newId: options.newId } : {}),
    })
    handle = herald.app.fetch
    if (options.seed !== false) await herald.seed()
    await syncUrlGroups(messaging.qstash, herald.urlGroupPlan(), url)
    if (sweepMs > 0) {
      const sweep = setInterval(() => void herald.relay?.sweep().catch(() => undefined), sweepMs)
      cleanups.push(() => clearInterval(sweep))
    }

    return {
      herald,
      url,
      database,
      broker,
      request: (path, init) => fetch(`${url}${path}`, init),
      waitFor,
      async publish(contract, subject, data, meta = {}) {
        const id = meta.id ?? herald.newId()
        const event: IntegrationEvent<string, typeof data> = {
          id,
          type: contract.name,
          version: contract.version,
          source: contract.source,
          subject,
          time: herald.clock(),
          data,
          correlationId: id,
          causationId: null,
          ...meta,
        }
        await messaging.qstash.publish({
          urlGroup: eventType(contract),
          body: toStructuredCloudEvent(event, url),
          headers: { 'Content-Type': 'application/cloudevents+json' },
          deduplicationId: event.id,
        })
        return event
      },
      stop,
    }
  } catch (error) {
    await stop()
    throw error
  }
}

/** The part of `Deno.serve` used here (the project is typed for Bun). */
interface DenoServe {
  serve(
    options: { port: number; hostname: string; onListen: (at: { port: number }) => void },
    handler: (request: Request) => Response | Promise<Response>,
  ): { shutdown(): Promise<void> }
}

/** Bun.serve, or Deno.serve on Deno, bound to loopback (https://docs.deno.com/api/deno/~/Deno.serve). */
const serveOnLoopback: Serve = async ({ port, fetch }) => {
  const runtime = globalThis as { Bun?: typeof Bun; Deno?: DenoServe }
  if (runtime.Bun) {
    const server = runtime.Bun.serve({ port, hostname: '127.0.0.1', fetch })
    return { port: server.port as number, stop: async () => server.stop(true) }
  }
  if (runtime.Deno) {
    const listening = Promise.withResolvers<number>()
    const server = runtime.Deno.serve({ port, hostname: '127.0.0.1', onListen: (at) => listening.resolve(at.port) }, fetch)
    return { port: await listening.promise, stop: () => server.shutdown() }
  }
  throw new Error('contextHarness serves with Bun.serve or Deno.serve; on another runtime pass `serve`')
}
