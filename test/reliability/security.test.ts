import { afterEach, describe, expect, it } from 'bun:test'
import { spawn } from 'bun'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { IntegrationEvent } from '../../src/kernel/index.ts'
import { toStructuredCloudEvent } from '../../src/platform/messaging/cloud-events.ts'
import { Client, Receiver } from '@upstash/qstash'
import { startBroker } from '../../src/dev/broker.ts'
import { optionsFromEnv } from '../../src/dev/config.ts'
import { DEV_QSTASH, qstashMessaging } from '../../src/platform/messaging/qstash.ts'
import { createWorker } from '../../src/platform/runtime/worker.ts'
import { selectContexts } from '../../src/service/contexts.ts'
import { tableCounts } from '../support/database.ts'
import { testHerald } from '../support/herald.ts'
import { signDelivery } from '../support/qstash-signature.ts'
import { type Stack, startStack } from '../support/stack.ts'
import { freePort } from '../support/ports.ts'
import { waitFor } from '../support/wait-for.ts'

const root = join(import.meta.dir, '../..')
let stack: Stack | undefined
afterEach(async () => {
  await stack?.stop()
  stack = undefined
})

const event = (): IntegrationEvent => ({
  id: crypto.randomUUID(),
  type: 'BuyerRegistered',
  version: 2,
  source: 'ordering',
  subject: 'mallory',
  time: '2026-01-01T00:00:00.000Z',
  data: { buyerId: 'mallory', name: 'M', email: 'm@example.com', channel: 'web' },
  correlationId: 'c',
  causationId: null,
})

describe('replayed deliveries', () => {
  it('a replay of a captured, still-valid delivery is deduplicated: one effect', async () => {
    stack = await startStack()
    const url = `${stack.publicUrl}/subscribers/notifications`
    const body = toStructuredCloudEvent(event(), stack.publicUrl)
    const signature = await signDelivery({ key: DEV_QSTASH.currentSigningKey, url, body })
    const send = () => fetch(url, { method: 'POST', headers: { 'Upstash-Signature': signature, 'Content-Type': 'application/cloudevents+json' }, body })
    expect(await (await send()).json()).toEqual({ status: 'processed' })
    const before = await tableCounts(stack.database)
    expect(await (await send()).json()).toEqual({ status: 'duplicate' })
    expect(await tableCounts(stack.database)).toEqual(before)
  })

  it('a replay of an old delivery (signature expired) is refused', async () => {
    stack = await startStack()
    const url = `${stack.publicUrl}/subscribers/notifications`
    const body = toStructuredCloudEvent(event(), stack.publicUrl)
    const signature = await signDelivery({ key: DEV_QSTASH.currentSigningKey, url, body, nowSeconds: Math.floor(Date.now() / 1000) - 86_400 })
    const response = await fetch(url, { method: 'POST', headers: { 'Upstash-Signature': signature, 'Content-Type': 'application/cloudevents+json' }, body })
    expect(response.status).toBe(401)
    const text = await response.text()
    expect(text).not.toContain(DEV_QSTASH.currentSigningKey)
    expect(text).not.toContain('exp') // no verifier internals echoed
  })
})

async function runService(env: Record<string, string>, untilHealthy: boolean) {
  const dir = mkdtempSync(join(tmpdir(), 'herald-sec-'))
  const port = await freePort()
  const child = spawn([process.execPath, 'run', 'src/service/bun.ts'], {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(port),
      DATABASE_URL: `file:${join(dir, 'h.db')}`,
      QSTASH_DEV_PORT: String(await freePort()),
      GRACE_PERIOD_MS: '0',
      ...env,
    },
    stdout: 'pipe',
    stderr: 'pipe',
  })
  const base = `http://127.0.0.1:${port}`
  if (untilHealthy)
    await waitFor(
      () =>
        fetch(`${base}/health`)
          .then((r) => r.ok)
          .catch(() => false),
      { what: 'service health' },
    )
  return { child, base }
}

describe('production mode', () => {
  it('refuses to start without ADMIN_TOKEN, PUBLIC_URL and QStash signing keys', async () => {
    const { child } = await runService({ NODE_ENV: 'production', ADMIN_TOKEN: '', QSTASH_TOKEN: '' }, false)
    expect(await child.exited).toBe(1)
    const stderr = await new Response(child.stderr).text()
    expect(stderr).toContain('refusing to start in production without ADMIN_TOKEN')
    expect(stderr).toContain('QSTASH_CURRENT_SIGNING_KEY')
  })
})

describe('production refuses public and weak secrets', () => {
  const production = {
    NODE_ENV: 'production',
    PUBLIC_URL: 'https://herald.example.com',
    AUTH_JWKS_URL: 'https://id.example.com/.well-known/jwks.json',
    AUTH_ISSUER: 'https://id.example.com/',
    AUTH_AUDIENCE: 'herald',
    QSTASH_URL: 'http://127.0.0.1:9', // never reached: it refuses first
    ADMIN_TOKEN: 'a-private-admin-token-of-40-characters-xx',
    QSTASH_TOKEN: 'a-private-qstash-token',
    QSTASH_CURRENT_SIGNING_KEY: 'sig_private_current_key_for_this_test',
    QSTASH_NEXT_SIGNING_KEY: 'sig_private_next_key_for_this_test',
  }
  const refusal = async (env: Record<string, string>) => {
    const { child } = await runService({ ...production, ...env }, false)
    const code = await child.exited
    return { code, stderr: await new Response(child.stderr).text() }
  }

  it('the dev admin token, the public QStash credentials and QSTASH_DEV, naming each variable and no value', async () => {
    const { code, stderr } = await refusal({
      ADMIN_TOKEN: 'dev-admin-token',
      QSTASH_TOKEN: DEV_QSTASH.token,
      QSTASH_CURRENT_SIGNING_KEY: DEV_QSTASH.currentSigningKey,
      QSTASH_NEXT_SIGNING_KEY: DEV_QSTASH.nextSigningKey,
      QSTASH_DEV: 'true',
    })
    expect(code).toBe(1)
    for (const line of [
      'refusing to start in production: QSTASH_DEV is set',
      'refusing to start in production: ADMIN_TOKEN is shorter than 32 characters',
      'refusing to start in production: ADMIN_TOKEN is a public development value',
      'refusing to start in production: QSTASH_TOKEN is a public development value',
      'refusing to start in production: QSTASH_CURRENT_SIGNING_KEY is a public development value',
      'refusing to start in production: QSTASH_NEXT_SIGNING_KEY is a public development value',
    ])
      expect(stderr).toContain(line)
    for (const secret of ['dev-admin-token', DEV_QSTASH.token, DEV_QSTASH.currentSigningKey, DEV_QSTASH.nextSigningKey]) expect(stderr).not.toContain(secret)
  })

  it('an admin token shorter than 32 characters', async () => {
    const { code, stderr } = await refusal({ ADMIN_TOKEN: 'x' })
    expect(code).toBe(1)
    expect(stderr).toContain('refusing to start in production: ADMIN_TOKEN is shorter than 32 characters')
    expect(stderr).not.toContain('QSTASH')
  })

  it('an idempotency secret shorter than 32 characters or public', async () => {
    for (const secret of ['short-secret', 'dev-admin-token']) {
      const { code, stderr } = await refusal({ IDEMPOTENCY_SECRET: secret })
      expect(code).toBe(1)
      expect(stderr).toContain('refusing to start in production: IDEMPOTENCY_SECRET is shorter than 32 characters')
      expect(stderr).not.toContain(secret)
    }
  })
})

describe('a Worker (always production)', () => {
  it('answers 500 CONFIG.INVALID naming the public or weak bindings, and no value', async () => {
    const worker = createWorker(selectContexts)
    const env = {
      DATABASE_URL: 'https://turso.example.com',
      PUBLIC_URL: 'https://herald.example.com',
      AUTH_JWKS_URL: 'https://id.example.com/.well-known/jwks.json',
      AUTH_ISSUER: 'https://id.example.com/',
      AUTH_AUDIENCE: 'herald',
      ADMIN_TOKEN: 'tiny-token',
      QSTASH_TOKEN: DEV_QSTASH.token,
      QSTASH_CURRENT_SIGNING_KEY: DEV_QSTASH.currentSigningKey,
      QSTASH_NEXT_SIGNING_KEY: DEV_QSTASH.nextSigningKey,
    }
    const response = await worker.fetch(new Request('https://herald.example.com/health'), env, { waitUntil: () => undefined })
    expect(response.status).toBe(500)
    expect(response.headers.get('X-Content-Type-Options')).toBe('nosniff')
    expect(response.headers.get('Cache-Control')).toBe('no-store')
    const body = (await response.json()) as { code: string; detail: string }
    expect(body.code).toBe('CONFIG.INVALID')
    for (const name of ['ADMIN_TOKEN', 'QSTASH_TOKEN', 'QSTASH_CURRENT_SIGNING_KEY', 'QSTASH_NEXT_SIGNING_KEY']) expect(body.detail).toContain(name)
    for (const secret of ['tiny-token', DEV_QSTASH.token, DEV_QSTASH.currentSigningKey, DEV_QSTASH.nextSigningKey]) expect(body.detail).not.toContain(secret)
  })
})

describe("the QStash SDK's dev mode (QSTASH_DEV=true)", () => {
  it('never replaces the configured broker, token or signing keys', async () => {
    const keys = { token: 'private-broker-token', currentSigningKey: 'sig_private_current_for_dev_mode', nextSigningKey: 'sig_private_next_for_dev_mode' }
    const dir = mkdtempSync(join(tmpdir(), 'herald-devmode-'))
    const broker = await startBroker({ port: 0, dbUrl: `file:${join(dir, 'q.db')}`, ...keys })
    const previous = process.env.QSTASH_DEV
    process.env.QSTASH_DEV = 'true'
    const publicUrl = 'http://herald.test'
    const h = await testHerald({ config: { publicUrl }, messaging: qstashMessaging({ url: broker.url, ...keys }) })
    try {
      // The Client talks to the broker it was given, with the token it was given.
      expect(Array.isArray(await h.messaging.qstash!.urlGroups.list())).toBe(true)
      const url = `${publicUrl}/subscribers/notifications`
      const deliver = async (key: string) => {
        const body = toStructuredCloudEvent(event(), publicUrl)
        const signature = await signDelivery({ key, url, body })
        return h.request('/subscribers/notifications', {
          method: 'POST',
          headers: { 'Upstash-Signature': signature, 'Content-Type': 'application/cloudevents+json' },
          body,
        })
      }
      expect((await deliver(DEV_QSTASH.currentSigningKey)).status).toBe(401)
      expect((await deliver(keys.currentSigningKey)).status).toBe(200)
    } finally {
      if (previous === undefined) delete process.env.QSTASH_DEV
      else process.env.QSTASH_DEV = previous
      h.dispose()
      await broker.stop()
    }
  })
})

describe('the local broker standing in for QStash in a production-shaped stack', () => {
  it('signs with QSTASH_DEV_CURRENT_SIGNING_KEY and takes QSTASH_DEV_TOKEN when they are set', async () => {
    const env = {
      QSTASH_DEV_TOKEN: 'private-broker-token-from-env',
      QSTASH_DEV_CURRENT_SIGNING_KEY: 'sig_private_current_from_env',
      QSTASH_DEV_NEXT_SIGNING_KEY: 'sig_private_next_from_env',
    }
    const dir = mkdtempSync(join(tmpdir(), 'herald-broker-keys-'))
    const broker = await startBroker({ ...optionsFromEnv(env), port: 0, dbUrl: `file:${join(dir, 'q.db')}` })
    const received: { signature: string; body: string }[] = []
    const endpoint = Bun.serve({
      port: 0,
      hostname: '127.0.0.1',
      fetch: async (request) => {
        received.push({ signature: request.headers.get('Upstash-Signature') ?? '', body: await request.text() })
        return new Response('ok')
      },
    })
    try {
      const url = `http://127.0.0.1:${endpoint.port}/hook`
      expect(
        (await fetch(`${broker.url}/v2/publish/${url}`, { method: 'POST', headers: { Authorization: `Bearer ${DEV_QSTASH.token}` }, body: 'x' })).status,
      ).toBe(401)
      await new Client({ baseUrl: broker.url, token: env.QSTASH_DEV_TOKEN, devMode: false }).publish({ url, body: 'hello' })
      const delivery = await waitFor(() => received[0], { what: 'the delivery' })
      const verify = (currentSigningKey: string, nextSigningKey: string) =>
        new Receiver({ currentSigningKey, nextSigningKey, devMode: false })
          .verify({ signature: delivery.signature, body: delivery.body, url })
          .catch(() => false)
      expect(await verify(env.QSTASH_DEV_CURRENT_SIGNING_KEY, env.QSTASH_DEV_NEXT_SIGNING_KEY)).toBe(true)
      expect(await verify(DEV_QSTASH.currentSigningKey, DEV_QSTASH.nextSigningKey)).toBe(false)
    } finally {
      endpoint.stop(true)
      await broker.stop()
    }
  })
})

describe('secrets', () => {
  it('never appear in logs or error bodies', async () => {
    const adminToken = 'super-secret-admin-token-42'
    const { child, base } = await runService({ ADMIN_TOKEN: adminToken }, true)
    const bodies: string[] = []
    const hit = async (path: string, init?: RequestInit) => bodies.push(await (await fetch(`${base}${path}`, init)).text())
    await hit('/admin/outbox', { headers: { Authorization: 'Bearer wrong' } })
    await hit('/admin/outbox', { headers: { Authorization: `Bearer ${adminToken}x` } })
    await hit('/subscribers/ordering', { method: 'POST', headers: { 'Upstash-Signature': 'x.y.z' }, body: '{}' })
    await hit('/subscribers/ordering', {
      method: 'POST',
      headers: { 'Upstash-Signature': await signDelivery({ key: 'sig_wrong', url: `${base}/subscribers/ordering`, body: '{}' }) },
      body: '{}',
    })
    await hit('/orders', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"card":' })
    await hit('/admin/outbox', { headers: { Authorization: `Bearer ${adminToken}` } })
    child.kill('SIGTERM')
    await child.exited
    const logs = (await new Response(child.stdout).text()) + (await new Response(child.stderr).text())
    for (const secret of [adminToken, DEV_QSTASH.currentSigningKey, DEV_QSTASH.nextSigningKey, DEV_QSTASH.token]) {
      expect(logs).not.toContain(secret)
      for (const body of bodies) expect(body).not.toContain(secret)
    }
    expect(logs).toContain('listening on')
  })
})
