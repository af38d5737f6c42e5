import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { createClient } from '@libsql/client'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { type Broker, startBroker } from '../../src/dev/broker.ts'
import { DEV_QSTASH } from '../../src/platform/messaging/qstash.ts'
import { freePort, type Service, startService, waitUntilServing } from '../runtime/support.ts'
import { orderBody } from '../support/herald.ts'

/*
 * A rolling deploy's SIGTERM, to the real Bun entry in its own process: it stops accepting, lets
 * the requests it accepted finish (no connection reset), flushes the relay once, exits 0 within
 * SHUTDOWN_GRACE_MS; after a restart every acknowledged order is there.
 */

const ROOT = resolve(import.meta.dir, '../..')
let dir: string
let broker: Broker
let url: string
let port: number

const launch = (): Service =>
  startService(process.execPath, ['run', 'src/service/bun.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PORT: String(port),
      PUBLIC_URL: url,
      DATABASE_URL: `file:${join(dir, 'herald.db')}`,
      GRACE_PERIOD_MS: '60000', // nothing moves on by itself while we look
      SHUTDOWN_GRACE_MS: '8000',
      QSTASH_URL: broker.url,
      QSTASH_TOKEN: DEV_QSTASH.token,
      QSTASH_CURRENT_SIGNING_KEY: DEV_QSTASH.currentSigningKey,
      QSTASH_NEXT_SIGNING_KEY: DEV_QSTASH.nextSigningKey,
    },
  })

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'herald-shutdown-'))
  broker = await startBroker({ port: 0, dbUrl: `file:${join(dir, 'qstash.db')}`, retryDelayScale: 0.001 })
  port = await freePort()
  url = `http://127.0.0.1:${port}`
})

afterAll(async () => {
  await broker?.stop()
  rmSync(dir, { recursive: true, force: true })
})

describe('SIGTERM', () => {
  it('answers every accepted request, flushes the outbox, exits 0, and loses no acknowledged order', async () => {
    const service = launch()
    await waitUntilServing(`${url}/health`, service, 30_000)
    const outcomes: ('created' | 'refused' | 'reset' | `status ${number}`)[] = []
    /** Requests whose connection broke before an answer, with their Idempotency-Key: were they accepted? */
    const unanswered: { key: string; body: string }[] = []
    const created: string[] = []
    let first!: () => void
    const firstAnswer = new Promise<void>((resolve) => (first = resolve))
    // A stream of orders: each client sends one after another until the server goes away.
    const clients = Array.from({ length: 8 }, async (_, client) => {
      for (let i = 0; ; i++) {
        const key = `sigterm-${client}-${i}`
        const body = JSON.stringify(orderBody({ buyer: { id: key, name: 'S', email: 's@example.com' } }))
        try {
          const response = await fetch(`${url}/orders`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'Idempotency-Key': key }, body })
          if (response.status !== 201) outcomes.push(`status ${response.status}`)
          else {
            created.push(((await response.json()) as { orderId: string }).orderId)
            outcomes.push('created')
          }
          first()
        } catch (error) {
          const text = `${(error as { code?: string }).code ?? ''} ${(error as Error).message}`
          const refused = /ECONNREFUSED|ConnectionRefused/i.test(text)
          outcomes.push(refused ? 'refused' : 'reset')
          if (!refused) unanswered.push({ key, body })
          return
        }
      }
    })
    await firstAnswer
    while (created.length < 20) await new Promise((resolve) => setTimeout(resolve, 5))
    process.kill(service.pid, 'SIGTERM')
    await Promise.all(clients)
    const code = await service.exited

    expect(code).toBe(0)
    expect(outcomes.filter((o) => o.startsWith('status'))).toEqual([])
    expect(service.output()).not.toContain('not drained')

    // The relay's last flush: nothing the accepted orders committed is left unpublished.
    const db = createClient({ url: `file:${join(dir, 'herald.db')}` })
    const pending = await db.execute("SELECT COUNT(*) AS n FROM outbox WHERE status = 'pending' AND kind = 'integration'")
    db.close()
    expect(Number(pending.rows[0]!.n)).toBe(0)

    const restarted = launch()
    try {
      await waitUntilServing(`${url}/health`, restarted, 30_000)
      for (const orderId of created) expect((await fetch(`${url}/orders/${orderId}`)).status, orderId).toBe(200)
      // A connection that broke without an answer must be one the server never accepted a request on
      // (a keep-alive connection closed as the client reused it): the same key again is a first request,
      // never a replay of something it committed and did not answer.
      for (const { key, body } of unanswered) {
        const again = await fetch(`${url}/orders`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'Idempotency-Key': key }, body })
        expect(again.status, key).toBe(201)
        expect(again.headers.get('Idempotent-Replayed'), `${key} had been accepted but not answered`).toBeNull()
      }
    } finally {
      await restarted.stop()
    }
  }, 90_000)
})
