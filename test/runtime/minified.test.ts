import { createClient } from '@libsql/client'
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { orderBody } from '../support/herald.ts'
import { waitFor } from '../support/wait-for.ts'
import { freePort, run, type Service, startService, waitUntilServing } from './support.ts'

/*
 * Handler identity survives a minifier. The reference service is bundled with `bun build
 * --minify` (identifiers mangled, function names gone), started as a process with the local
 * broker beside it, and an order walks to paid: the grace-period job is addressed by its
 * declared name, every subscriber delivery finds its handler, and the inbox keys are the
 * declared names, not whatever the minifier called the functions.
 *
 * Layout: the bundle's import.meta.url stands for every module in it, so the migrations the
 * contexts (`../../drizzle/<context>`) and the toolkit (`./migrations`) locate relative to their
 * own files are copied to where those relative paths land from the bundle.
 */

const ROOT = resolve(import.meta.dir, '../..')
const BUN = join(ROOT, 'node_modules/.bin/bun')

let dir: string
let service: Service | undefined
let url: string
let bundle: string

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'herald-minified-'))
  const out = join(dir, 'app', 'dist')
  mkdirSync(out, { recursive: true })
  await run(BUN, ['build', 'src/service/bun.ts', '--target', 'bun', '--minify', '--outfile', join(out, 'service.js')], {
    cwd: ROOT,
    env: process.env,
    timeoutMs: 120_000,
  })
  bundle = readFileSync(join(out, 'service.js'), 'utf8')
  cpSync(join(ROOT, 'drizzle'), join(dir, 'drizzle'), { recursive: true })
  cpSync(join(ROOT, 'src/platform/store/migrations'), join(out, 'migrations'), { recursive: true })

  const port = await freePort()
  url = `http://127.0.0.1:${port}`
  service = startService(BUN, [join(out, 'service.js')], {
    cwd: dir,
    env: {
      ...process.env,
      PORT: String(port),
      QSTASH_DEV_PORT: String(await freePort()),
      DATABASE_URL: `file:${join(dir, 'herald.db')}`,
      QSTASH_DEV_DB: `file:${join(dir, 'qstash.db')}`,
      GRACE_PERIOD_MS: '200',
      QSTASH_DEV_DELAY_SCALE: '0.01',
    },
  })
  await waitUntilServing(`${url}/health`, service, 60_000)
}, 240_000)

afterAll(async () => {
  await service?.stop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

describe('a minified build of the reference service', () => {
  it('has lost the handler functions’ names (the minifier did mangle them)', () => {
    expect(bundle).not.toContain('function validateOrAddBuyerWhenOrderStarted')
    expect(bundle).not.toContain('function emailBuyerWhenOrderPaid')
  })

  it('walks an order to paid and keys the inbox by the declared names', async () => {
    const created = await fetch(`${url}/orders`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(orderBody()) })
    expect(created.status).toBe(201)
    const { orderId } = (await created.json()) as { orderId: string }
    await waitFor(async () => ((await (await fetch(`${url}/orders/${orderId}`)).json()) as { status: string }).status === 'paid', {
      timeoutMs: 30_000,
      what: `order ${orderId} to be paid:\n${service?.output()}`,
    })

    const db = createClient({ url: `file:${join(dir, 'herald.db')}` })
    try {
      const keys = await waitFor(
        async () => {
          const rows = (await db.execute('SELECT DISTINCT subscriber FROM inbox')).rows.map((row) => String(row.subscriber))
          return rows.includes('notifications:emailBuyerWhenOrderPaid') ? rows : undefined
        },
        { timeoutMs: 15_000, what: 'the paid mail to be recorded in the inbox' },
      )
      expect(keys).toEqual(
        expect.arrayContaining([
          'catalog:reserveStockWhenOrderAwaitingValidation',
          'payment:chargeWhenOrderStockConfirmed',
          'ordering:markPaidWhenPaymentSucceeded',
          'notifications:emailBuyerWhenOrderPaid',
        ]),
      )
      // The grace period's delayed job, addressed by its declared name.
      expect(keys.some((key) => key.endsWith('markAwaitingValidationWhenGracePeriodEnds'))).toBe(true)
    } finally {
      db.close()
    }
  }, 60_000)
})
