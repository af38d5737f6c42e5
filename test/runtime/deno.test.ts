import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { type Broker, startBroker } from '../../src/dev/broker.ts'
import { DEV_QSTASH } from '../../src/platform/messaging/qstash.ts'
import { orderBody } from '../support/herald.ts'
import { waitFor } from '../support/wait-for.ts'
import { freePort, type Service, startService, waitUntilServing } from './support.ts'

/*
 * The service under Deno (`deno run -A src/service/deno.ts`, Deno from npm): Deno.serve, the
 * embedded libSQL file through @libsql/client's Node build (Deno's npm compatibility loads its
 * native addon), migrations applied at start-up. The local broker is Bun-only (Bun.serve,
 * hono/bun), so it runs here in the test process and Deno gets it through the standard QSTASH_*
 * variables with the dev credentials — exactly how Deno would be pointed at real QStash.
 */

const ROOT = resolve(import.meta.dir, '../..')
const ADMIN_TOKEN = 'test-admin-token'

let dir: string
let broker: Broker | undefined
let service: Service | undefined
let baseUrl: string

const json = async <T = any>(path: string, init?: RequestInit): Promise<T> => {
  const response = await fetch(`${baseUrl}${path}`, init)
  if (!response.ok) throw new Error(`${init?.method ?? 'GET'} ${path} → ${response.status}: ${await response.text()}\n${service?.output()}`)
  return response.json() as Promise<T>
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'herald-deno-'))
  broker = await startBroker({ port: 0, dbUrl: `file:${join(dir, 'qstash.db')}`, retryDelayScale: 0.001 })
  const port = await freePort()
  baseUrl = `http://127.0.0.1:${port}`
  service = startService(join(ROOT, 'node_modules/.bin/deno'), ['run', '-A', 'src/service/deno.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      PUBLIC_URL: baseUrl,
      DATABASE_URL: `file:${join(dir, 'herald.db')}`,
      GRACE_PERIOD_MS: '0',
      ADMIN_TOKEN,
      OUTBOX_SWEEP_MS: '500',
      QSTASH_DEV_PORT: String(await freePort()), // unused: QSTASH_TOKEN is set
      QSTASH_URL: broker.url,
      QSTASH_TOKEN: DEV_QSTASH.token,
      QSTASH_CURRENT_SIGNING_KEY: DEV_QSTASH.currentSigningKey,
      QSTASH_NEXT_SIGNING_KEY: DEV_QSTASH.nextSigningKey,
      DENO_NO_UPDATE_CHECK: '1',
      NO_COLOR: '1',
    },
  })
  await waitUntilServing(`${baseUrl}/health`, service, 30_000)
}, 45_000)

afterAll(async () => {
  await service?.stop()
  await broker?.stop().catch(() => undefined)
  if (dir) rmSync(dir, { recursive: true, force: true })
})

describe('Herald on Deno', () => {
  it('serves the app on Deno.serve: health, an order, its events, and the flow to paid', async () => {
    expect(await json('/health')).toEqual({ status: 'ok' })
    // Printed once the URL groups are synced (after Deno.serve is already answering).
    await waitFor(() => service!.output().includes(`Deno: listening on ${baseUrl} (127.0.0.1 port`), { what: 'the Deno entry to log' })

    const created = await json<{ orderId: string; status: string }>('/orders', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': 'deno-smoke' },
      body: JSON.stringify(orderBody()),
    })
    expect(created.status).toBe('submitted')
    const order = await json<{ orderId: string; buyerId: string; total: number }>(`/orders/${created.orderId}`)
    expect(order).toMatchObject({ orderId: created.orderId, buyerId: 'alice', total: 40 })
    const events = (await json<{ type: string }[]>(`/orders/${created.orderId}/events`)).map((e) => e.type)
    expect(events.slice(0, 2)).toEqual(['OrderStarted', 'OrderBuyerAssigned'])

    // Through the broker and back: the subscribers on Deno verify signatures and run the contexts.
    await waitFor(async () => ((await json(`/orders/${created.orderId}`)).status === 'paid' ? true : undefined), {
      timeoutMs: 20_000,
      what: 'the order to be paid',
    })
    expect((await json<{ kind: string }[]>('/notifications?buyerId=alice')).map((m) => m.kind)).toContain('welcome')
  }, 30_000)
})
