import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import { spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { type Broker, startBroker } from '../../src/dev/broker.ts'
import { orderBody } from '../support/herald.ts'
import { waitFor } from '../support/wait-for.ts'
import { freePort, PRIVATE_QSTASH, PRODUCTION_ADMIN_TOKEN, type Service, startService, waitUntilServing } from './support.ts'

/*
 * What an operator does on a plain VM: a copy of the project, `npm install --omit=dev` (no test,
 * bench, Worker or Deno tooling), then `NODE_ENV=production npm start`. The local broker stands in
 * for QStash (no Upstash account is reachable here): it runs in this test process, from the full
 * install, with private credentials (production refuses the public dev ones), and the service gets
 * its URL, token and keys as the QSTASH_* variables. Production
 * wants JWTs too: the JWKS is served by this test (no identity provider can run here), the tokens
 * are real `jose` ones.
 */

const ROOT = resolve(import.meta.dir, '../..')
const ADMIN_TOKEN = PRODUCTION_ADMIN_TOKEN

let dir: string
let app: string
let broker: Broker | undefined
let service: Service | undefined
let baseUrl: string
let installed: { status: number | null; output: string }
let jwks: ReturnType<typeof Bun.serve> | undefined
let buyerToken: string

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'herald-prod-'))
  app = join(dir, 'app')
  // The project as a checkout holds it: tracked files and new ones not ignored (no node_modules, no data/).
  const listed = spawnSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], { cwd: ROOT, encoding: 'utf8' })
  for (const file of listed.stdout.split('\0').filter(Boolean)) {
    if (!existsSync(join(ROOT, file))) continue
    mkdirSync(dirname(join(app, file)), { recursive: true })
    copyFileSync(join(ROOT, file), join(app, file))
  }
  const install = spawnSync('npm', ['install', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline'], {
    cwd: app,
    encoding: 'utf8',
    env: { ...process.env, NODE_ENV: 'production', CI: 'true' },
    timeout: 240_000,
  })
  installed = { status: install.status, output: `${install.stdout}\n${install.stderr}` }
  if (install.status !== 0) return

  broker = await startBroker({ port: 0, dbUrl: `file:${join(dir, 'qstash.db')}`, retryDelayScale: 0.001, ...PRIVATE_QSTASH })
  const { publicKey, privateKey } = await generateKeyPair('ES256')
  const jwk = { ...(await exportJWK(publicKey)), kid: 'prod-1', alg: 'ES256' }
  jwks = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => Response.json({ keys: [jwk] }) })
  buyerToken = await new SignJWT({})
    .setProtectedHeader({ alg: 'ES256', kid: 'prod-1' })
    .setSubject('alice')
    .setIssuer('https://id.herald.test/')
    .setAudience('herald')
    .setExpirationTime('10m')
    .sign(privateKey)
  const port = await freePort()
  baseUrl = `http://127.0.0.1:${port}`
  service = startService('npm', ['start'], {
    cwd: app,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'production',
      PORT: String(port),
      PUBLIC_URL: baseUrl,
      DATABASE_URL: `file:${join(dir, 'herald.db')}`,
      GRACE_PERIOD_MS: '0',
      ADMIN_TOKEN,
      QSTASH_URL: broker.url,
      QSTASH_TOKEN: PRIVATE_QSTASH.token,
      QSTASH_CURRENT_SIGNING_KEY: PRIVATE_QSTASH.currentSigningKey,
      QSTASH_NEXT_SIGNING_KEY: PRIVATE_QSTASH.nextSigningKey,
      AUTH_JWKS_URL: `http://127.0.0.1:${jwks.port}/jwks`,
      AUTH_ISSUER: 'https://id.herald.test/',
      AUTH_AUDIENCE: 'herald',
    },
  })
  await waitUntilServing(`${baseUrl}/health`, service, 30_000)
}, 300_000)

afterAll(async () => {
  await service?.stop()
  await broker?.stop()
  jwks?.stop(true)
  rmSync(dir, { recursive: true, force: true })
})

describe('a production install (npm install --omit=dev && NODE_ENV=production npm start)', () => {
  it('installs the runtime and nothing of the dev tooling', () => {
    expect(installed.status, installed.output).toBe(0)
    expect(existsSync(join(app, 'node_modules/.bin/bun'))).toBe(true)
    for (const devOnly of ['wrangler', 'deno', 'playwright-core', 'typescript', 'drizzle-kit', 'autocannon', 'fast-check']) {
      expect(existsSync(join(app, 'node_modules', devOnly)), devOnly).toBe(false)
    }
  })

  it('starts on QStash settings alone: no dev broker, no dev token, one start-up line without credentials', async () => {
    const output = service!.output()
    expect(output).not.toContain('local QStash-compatible broker')
    expect(output).not.toContain('dev-admin-token')
    expect(output).not.toContain(PRIVATE_QSTASH.token)
    expect(output).not.toContain('auth: open')
    expect(output).toContain(`Bun: listening on ${baseUrl}`)
    expect(output).toContain(`QStash ${broker!.url}`)
    expect((await fetch(`${baseUrl}/admin/outbox`, { headers: { Authorization: 'Bearer dev-admin-token' } })).status).toBe(401)
  })

  it('walks an order to paid', async () => {
    const auth = { Authorization: `Bearer ${buyerToken}` }
    expect(
      (await fetch(`${baseUrl}/orders`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(orderBody()) })).status,
    ).toBe(401)
    const created = await fetch(`${baseUrl}/orders`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...auth },
      body: JSON.stringify(orderBody()),
    })
    expect(created.status).toBe(201)
    const { orderId } = (await created.json()) as { orderId: string }
    const paid = await waitFor(
      async () => {
        const order = (await (await fetch(`${baseUrl}/orders/${orderId}`, { headers: auth })).json()) as { status: string }
        return order.status === 'paid' ? order : undefined
      },
      { timeoutMs: 20_000, what: `order ${orderId} to be paid` },
    )
    expect(paid.status).toBe('paid')
  })
})
