/**
 * Correctness check for the group-commit proposal (not a benchmark): `bun run
 * bench/experiments/check-group-commit.ts` (prefix `BENCH_EXPERIMENTS=multi-row-journal bun
 * --preload ./bench/experiments/preload.ts` to add the runner's retry backoff). Fires concurrent POST /orders at an in-process
 * Herald — half from ONE buyer (every pair of them conflicts on the buyer's version), half from
 * new buyers — with the default committer and with the group committer, and checks the same
 * invariants on both: every answer is 201 or 409, the buyer's stream is gapless and matches its
 * row version, one order row per 201, and every command's events and outbox rows are all there
 * or all absent.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createReferenceHerald as createHerald } from '../../src/service/app.ts'
import { type Database, openDatabase } from '../../src/platform/store/database.ts'
import { migrateReferenceDatabase as migrateDatabase } from '../../src/service/app.ts'
import { orderBody } from '../../test/support/herald.ts'
import { withCommitter } from './group-commit.ts'

async function scenario(label: string, wrap: (d: Database, path: string) => Database): Promise<boolean> {
  const dir = mkdtempSync(join(tmpdir(), 'herald-gc-'))
  const path = join(dir, 'h.db')
  const opened = openDatabase({ url: `file:${path}` })
  await migrateDatabase(opened)
  const database = wrap(opened, path)
  const herald = createHerald({ database })
  const post = (body: unknown) => herald.app.request('/orders', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  const shared = { id: 'shared-buyer', name: 'Shared', email: 'shared@example.com' }
  const responses = await Promise.all(
    Array.from({ length: 60 }, (_, i) =>
      post(orderBody(i % 2 === 0 ? { buyer: shared } : { buyer: { id: `solo-${i}`, name: 'Solo', email: `solo-${i}@example.com` } })),
    ),
  )
  const statuses = responses.map((r) => r.status)
  const created = statuses.filter((s) => s === 201).length
  const q = async (sql: string, args: (string | number)[] = []) => (await opened.client.execute({ sql, args })).rows
  const orders = Number((await q('SELECT count(*) AS n FROM ordering_orders'))[0]!.n)
  const buyer = await q('SELECT version FROM ordering_buyers WHERE id = ?', [shared.id])
  const stream = (await q("SELECT aggregate_version AS v FROM domain_events WHERE aggregate_type = 'Buyer' AND aggregate_id = ? ORDER BY 1", [shared.id])).map(
    (r) => Number(r.v),
  )
  const sharedCreated = responses.filter((r, i) => i % 2 === 0 && r.status === 201).length
  const orderEvents = Number((await q("SELECT count(*) AS n FROM domain_events WHERE aggregate_type = 'Order'"))[0]!.n)
  const outbox = Number((await q('SELECT count(*) AS n FROM outbox'))[0]!.n)
  const checks = {
    'only 201/409': statuses.every((s) => s === 201 || s === 409),
    'one order row per 201': orders === created,
    'buyer stream gapless': stream.every((v, i) => v === i + 1),
    'buyer row version = stream length': Number(buyer[0]?.version) === stream.length,
    'buyer stream = 1 + shared orders': stream.length === 1 + sharedCreated,
    '2 order events per order': orderEvents === 2 * orders,
    // one grace-period job per order + one BuyerRegistered per new buyer
    'outbox rows complete': outbox === orders + (created - sharedCreated) + (sharedCreated > 0 ? 1 : 0),
  }
  const ok = Object.values(checks).every(Boolean)
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${label}: ${created} created, ${statuses.filter((s) => s === 409).length} conflicts`, ok ? '' : checks)
  database.close()
  rmSync(dir, { recursive: true, force: true })
  return ok
}

const results = [
  await scenario("today's committer        ", (d) => d),
  await scenario('group commit, settle     ', (d, p) => withCommitter(d, p, { grouped: true, prepared: false, policy: 'settle' })),
  await scenario('group commit, adaptive   ', (d, p) => withCommitter(d, p, { grouped: true, prepared: false, policy: 'adaptive' })),
  await scenario('prepared statements      ', (d, p) => withCommitter(d, p, { grouped: false, prepared: true })),
  await scenario('group + prepared, adapt. ', (d, p) => withCommitter(d, p, { grouped: true, prepared: true, policy: 'adaptive' })),
]
process.exit(results.every(Boolean) ? 0 : 1)
