/**
 * A local QStash-compatible broker for development and tests: the real `@upstash/qstash` Client
 * and Receiver work against it unchanged. Never use it in production.
 */
import { type Served, serve } from './serve.ts'
import {
  type BrokerOptions,
  DEFAULT_CONCURRENCY,
  DEFAULT_DB_URL,
  DEFAULT_HOSTNAME,
  DEFAULT_PORT,
  DEFAULT_TIMEOUT_MS,
  DEV_CURRENT_SIGNING_KEY,
  DEV_NEXT_SIGNING_KEY,
  DEV_TOKEN,
} from './config.ts'
import { systemClock } from './clock.ts'
import { Engine } from './engine.ts'
import { createApi } from './routes/index.ts'
import { Schedules } from './schedules.ts'
import { createSigner } from './signing.ts'
import { Store } from './store.ts'

export interface Broker {
  /** `http://127.0.0.1:<port>`: use as the SDK's `baseUrl` / `QSTASH_URL`. */
  url: string
  port: number
  /**
   * Stops serving and delivering. In-flight attempts are aborted and not recorded, so their
   * messages are attempted again after a restart on the same file.
   */
  stop(): Promise<void>
}

export async function startBroker(options: BrokerOptions = {}): Promise<Broker> {
  const retryDelayScale = options.retryDelayScale ?? 1
  if (!(retryDelayScale >= 0)) throw new Error('retryDelayScale must be >= 0')
  const store = await Store.open(options.dbUrl ?? DEFAULT_DB_URL)
  const currentSigningKey = options.currentSigningKey ?? DEV_CURRENT_SIGNING_KEY
  const engine = await Engine.start({
    store,
    sign: createSigner(currentSigningKey),
    retryDelayScale,
    concurrency: options.concurrency ?? DEFAULT_CONCURRENCY,
    defaultTimeoutMs: options.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS,
    logRetention: options.logRetention,
    clock: options.clock ?? systemClock,
  })
  const schedules = await Schedules.start(engine, store)
  const app = createApi({
    engine,
    schedules,
    store,
    token: options.token ?? DEV_TOKEN,
    currentSigningKey,
    nextSigningKey: options.nextSigningKey ?? DEV_NEXT_SIGNING_KEY,
  })
  const hostname = options.hostname ?? DEFAULT_HOSTNAME
  let server: Served
  try {
    server = await serve({ port: options.port ?? DEFAULT_PORT, hostname, fetch: (request, env) => app.fetch(request, env) })
  } catch (error) {
    schedules.stop()
    await engine.stop()
    throw error
  }
  const port = server.port
  // A wildcard bind is still reached through loopback.
  const host = hostname === '0.0.0.0' || hostname === '::' ? '127.0.0.1' : hostname
  let stopping: Promise<void> | undefined
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    stop() {
      stopping ??= (async () => {
        await server.stop()
        schedules.stop()
        await engine.stop()
      })()
      return stopping
    },
  }
}
