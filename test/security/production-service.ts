import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createClient } from '@libsql/client'
import { type Broker, startBroker } from '../../src/dev/broker.ts'
import type { IntegrationEvent } from '../../src/kernel/index.ts'
import {
  freePort,
  PRIVATE_QSTASH,
  PRODUCTION_ADMIN_TOKEN,
  type Service,
  startJwks,
  startService,
  TEST_AUDIENCE,
  TEST_ISSUER,
  waitUntilServing,
} from '../runtime/support.ts'

const ROOT = join(import.meta.dir, '../..')

/** A BuyerRegistered.v2 integration event for buyer zoe, as Ordering publishes it (`id` fresh unless given). */
export const buyerRegistered = (id: string = crypto.randomUUID()): IntegrationEvent => ({
  id,
  type: 'BuyerRegistered',
  version: 2,
  source: 'ordering',
  subject: 'zoe',
  time: '2026-01-01T00:00:00.000Z',
  data: { buyerId: 'zoe', name: 'Zoe', email: 'zoe@example.com', channel: 'web' },
  correlationId: 'c-1',
  causationId: null,
})

/**
 * The Bun entry as production runs it (`NODE_ENV=production`), in its own process: the local
 * broker standing in for QStash with private credentials, a JWKS served here and real `jose`
 * tokens, a libSQL file of its own that survives `restart()`.
 */
export async function startProductionService(extraEnv: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'herald-prod-sec-'))
  const databasePath = join(dir, 'herald.db')
  const broker: Broker = await startBroker({ port: 0, dbUrl: `file:${join(dir, 'qstash.db')}`, retryDelayScale: 0.001, ...PRIVATE_QSTASH })
  const jwks = await startJwks()
  const port = await freePort()
  const baseUrl = `http://127.0.0.1:${port}`
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    PORT: String(port),
    PUBLIC_URL: baseUrl,
    DATABASE_URL: `file:${databasePath}`,
    GRACE_PERIOD_MS: '0',
    ADMIN_TOKEN: PRODUCTION_ADMIN_TOKEN,
    QSTASH_URL: broker.url,
    QSTASH_TOKEN: PRIVATE_QSTASH.token,
    QSTASH_CURRENT_SIGNING_KEY: PRIVATE_QSTASH.currentSigningKey,
    QSTASH_NEXT_SIGNING_KEY: PRIVATE_QSTASH.nextSigningKey,
    AUTH_JWKS_URL: jwks.url,
    AUTH_ISSUER: TEST_ISSUER,
    AUTH_AUDIENCE: TEST_AUDIENCE,
    ...extraEnv,
  }
  const launch = async () => {
    const started = startService(process.execPath, ['run', 'src/service/bun.ts'], { cwd: ROOT, env })
    await waitUntilServing(`${baseUrl}/health`, started, 30_000)
    return started
  }
  let service: Service = await launch()
  const buyerHeaders = async (buyer: string) => ({ Authorization: `Bearer ${await jwks.token(buyer)}`, 'Content-Type': 'application/json' })
  return {
    baseUrl,
    databasePath,
    broker,
    jwks,
    adminHeaders: { Authorization: `Bearer ${PRODUCTION_ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
    buyerHeaders,
    output: () => service.output(),
    /** SQL against the service's file, from outside (to read what it stored, or age it). */
    async sql(sql: string, args: (string | number)[] = []) {
      const client = createClient({ url: `file:${databasePath}`, timeout: 10_000 })
      try {
        return (await client.execute({ sql, args })).rows
      } finally {
        client.close()
      }
    },
    async restart() {
      await service.stop(10_000)
      service = await launch()
    },
    async stop() {
      await service.stop(10_000)
      await broker.stop()
      jwks.stop()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

export type ProductionService = Awaited<ReturnType<typeof startProductionService>>
