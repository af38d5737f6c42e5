import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startBroker } from '../../src/dev/broker.ts'
import { createReferenceHerald, type ReferenceOptions } from '../../src/service/app.ts'
import { DEV_QSTASH, qstashMessaging } from '../../src/platform/messaging/qstash.ts'
import { syncUrlGroups } from '../../src/platform/messaging/subscriptions.ts'
import { tempDatabase } from './database.ts'
import { orderBody } from './herald.ts'
import { waitFor } from './wait-for.ts'

export const ADMIN_TOKEN = 'test-admin-token'

/**
 * The whole thing over real HTTP on loopback: the service on Bun.serve, the local broker with
 * its own libSQL file, the real @upstash/qstash Client and Receiver between them. Broker delays
 * are scaled down so retries take milliseconds.
 */
export async function startStack(
  options: { gracePeriodMs?: number; retries?: number; relayMode?: 'immediate' | 'deferred'; herald?: Partial<ReferenceOptions> } = {},
) {
  const brokerDir = mkdtempSync(join(tmpdir(), 'herald-broker-'))
  const brokerDb = `file:${join(brokerDir, 'qstash.db')}`
  let broker = await startBroker({ port: 0, dbUrl: brokerDb, retryDelayScale: 0.001 })
  const database = await tempDatabase()
  let fetchHandler: (request: Request) => Response | Promise<Response> = () => new Response('starting', { status: 503 })
  /** Every request the service answered: path and status, for counting deliveries. */
  const served: { path: string; status: number }[] = []
  const server = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    fetch: async (request) => {
      const response = await fetchHandler(request)
      served.push({ path: new URL(request.url).pathname, status: response.status })
      return response
    },
  })
  const publicUrl = `http://127.0.0.1:${server.port}`
  const messaging = qstashMessaging(
    { url: broker.url, ...DEV_QSTASH, retries: options.retries ?? 3 },
    { relayMode: options.relayMode ?? 'immediate', relay: { baseBackoffMs: 20 } },
  )
  const herald = createReferenceHerald({
    database,
    gracePeriodMs: options.gracePeriodMs ?? 0,
    messaging,
    ...options.herald,
    config: { publicUrl, adminToken: ADMIN_TOKEN, ...options.herald?.config },
  })
  fetchHandler = herald.app.fetch
  await herald.seed()
  await syncUrlGroups(messaging.qstash, herald.urlGroupPlan(), publicUrl)

  const json = async <T = any>(path: string, init?: RequestInit): Promise<T> => (await fetch(`${publicUrl}${path}`, init)).json() as Promise<T>
  const admin = (path: string, init: RequestInit = {}) =>
    fetch(`${publicUrl}${path}`, { ...init, headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json', ...init.headers } })

  return {
    herald,
    database,
    server,
    served,
    publicUrl,
    get broker() {
      return broker
    },
    qstash: messaging.qstash,
    json,
    admin,
    async placeOrder(body: unknown = orderBody()): Promise<string> {
      const response = await fetch(`${publicUrl}/orders`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })
      if (response.status !== 201) throw new Error(`POST /orders → ${response.status}: ${await response.text()}`)
      return ((await response.json()) as { orderId: string }).orderId
    },
    async orderReaches(orderId: string, status: string, timeoutMs = 15_000) {
      return waitFor(
        async () => {
          const order = await json(`/orders/${orderId}`)
          return order.status === status ? order : undefined
        },
        { timeoutMs, what: `order ${orderId} to be ${status}` },
      )
    },
    async stopBroker() {
      await broker.stop()
    },
    async restartBroker() {
      broker = await startBroker({ port: new URL(broker.url).port ? Number(new URL(broker.url).port) : 0, dbUrl: brokerDb, retryDelayScale: 0.001 })
    },
    async stop() {
      server.stop(true)
      await broker.stop().catch(() => undefined)
      database.dispose()
    },
  }
}

export type Stack = Awaited<ReturnType<typeof startStack>>
