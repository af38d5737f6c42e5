import { afterEach, describe, expect, it } from 'bun:test'
import { spawn } from 'bun'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { IntegrationEvent } from '../../src/kernel/index.ts'
import { toStructuredCloudEvent } from '../../src/platform/messaging/cloud-events.ts'
import { DEV_QSTASH } from '../../src/platform/messaging/qstash.ts'
import { tableCounts } from '../support/database.ts'
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
