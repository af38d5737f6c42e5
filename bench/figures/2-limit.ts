/**
 * Figure 2 — the machine's limit: raw `@libsql/client` commits per second of the same rows,
 * no HTTP, no framework, one `batch(…, 'write')` after another on a fresh migrated file (same
 * schema, WAL, default synchronous=FULL: every commit is an fsync). Two batch shapes:
 *  - the bare route's: order + buyer rows (the limit any route on this file can reach);
 *  - Herald's: the exact statements one POST /orders commits (order, buyer, 4 events, 2 outbox
 *    rows), captured from an in-process Herald whose committer records instead of writing.
 * Then figure 1's c=32 throughputs are put against the limit (share of it reached over HTTP).
 */
import type { InStatement } from '@libsql/client'
import { join } from 'node:path'
import type { Statement } from '../../src/kernel/index.ts'
import { createReferenceHerald as createHerald } from '../../src/service/app.ts'
import { openDatabase } from '../../src/platform/store/database.ts'
import { migrateReferenceDatabase as migrateDatabase } from '../../src/service/app.ts'
import { StartOrderBody } from '../../routes/ordering/orders.schemas.ts'
import { orderBody } from '../../test/support/herald.ts'
import { JSON_HEADERS, uniqueOrderBody } from '../harness/fixtures.ts'
import { type Entry, entry } from '../harness/report.ts'
import { type Summary, summarize } from '../harness/stats.ts'
import type { Figure } from '../harness/suite.ts'
import { bareOrderRows, openBareDatabase } from '../servers/bare.ts'

/** Commits `next()` batches back to back for `seconds` (or until it runs out); per-commit latency. */
async function commitLoop(
  run: (statements: InStatement[]) => Promise<unknown>,
  next: (i: number) => InStatement[] | undefined,
  seconds: number,
): Promise<{ perSecond: number; latency: Summary; commits: number }> {
  const latencies: number[] = []
  const start = performance.now()
  const end = start + seconds * 1000
  for (let i = 0; performance.now() < end; i++) {
    const batch = next(i)
    if (!batch) break
    const t = performance.now()
    await run(batch)
    latencies.push(performance.now() - t)
  }
  const elapsed = (performance.now() - start) / 1000
  return { perSecond: latencies.length / elapsed, latency: summarize(latencies), commits: latencies.length }
}

/** The statements Herald commits for `count` POST /orders, each from a new buyer. */
async function heraldBatches(dbPath: string, count: number): Promise<Statement[][]> {
  const database = openDatabase({ url: `file:${dbPath}` })
  await migrateDatabase(database)
  const batches: Statement[][] = []
  const herald = createHerald({
    database: { ...database, committer: { commit: async (statements) => void batches.push([...statements]) } },
  })
  const tag = `f2-${Date.now().toString(36)}`
  for (let i = 0; i < count; i++) {
    const response = await herald.app.request('/orders', { method: 'POST', headers: JSON_HEADERS, body: uniqueOrderBody(tag, i) })
    if (response.status !== 201) throw new Error(`capturing Herald batches: POST /orders → ${response.status}`)
  }
  database.close()
  return batches
}

export const limitFigure: Figure = {
  id: '2',
  isolated: true,
  title: 'The limit: raw @libsql/client commits per second, no HTTP',
  async run(config, shared) {
    const seconds = config.durationSec
    // Bare rows: order + buyer, exactly what the bare route inserts.
    const bareDb = await openBareDatabase(join(config.workDir, 'f2-raw.db'))
    const template = StartOrderBody.parse(orderBody())
    const raw = await commitLoop(
      (batch) => bareDb.client.batch(batch, 'write'),
      (i) => {
        const buyer = { ...template.buyer, id: `raw-${i}` }
        const rows = bareOrderRows({ ...template, buyer }, crypto.randomUUID(), new Date().toISOString())
        return [
          {
            sql: 'INSERT INTO ordering_orders (id, buyer_id, status, total, version, state, started_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
            args: [rows.order.id, rows.order.buyerId, rows.order.status, rows.order.total, rows.order.version, rows.order.state, rows.order.startedAt],
          },
          { sql: 'INSERT INTO ordering_buyers (id, version, state) VALUES (?, ?, ?) ON CONFLICT DO NOTHING', args: [buyer.id, 1, rows.buyer.state] },
        ]
      },
      seconds,
    )
    bareDb.client.close()
    config.log(`  raw order+buyer batch: ${raw.perSecond.toFixed(1)} commits/s, p50 ${raw.latency.p50.toFixed(2)} ms, p99 ${raw.latency.p99.toFixed(2)} ms`)

    // Herald's batch: captured first (not timed), then committed raw.
    const captured = await heraldBatches(join(config.workDir, 'f2-capture.db'), Math.ceil(Math.max(raw.perSecond, 100) * seconds * 1.5))
    const heraldDb = await openBareDatabase(join(config.workDir, 'f2-herald-shape.db'))
    const shaped = await commitLoop(
      (batch) => heraldDb.client.batch(batch, 'write'),
      (i) => captured[i] as InStatement[] | undefined,
      seconds,
    )
    heraldDb.client.close()
    const statements = captured[0]?.length ?? 0
    config.log(
      `  raw Herald batch (${statements} statements): ${shaped.perSecond.toFixed(1)} commits/s, p50 ${shaped.latency.p50.toFixed(2)} ms, p99 ${shaped.latency.p99.toFixed(2)} ms`,
    )

    const notes = `${seconds}s of back-to-back client.batch(…, 'write') on a fresh file (WAL, synchronous=FULL)`
    const entries: Entry[] = [
      entry({ name: '2 limit: raw libSQL commits, order+buyer rows', unit: 'commits/s', value: raw.perSecond, notes: `${notes}; the limit` }),
      entry({ name: '2 limit: raw commit latency p99, order+buyer rows', unit: 'ms', value: raw.latency.p99, notes }),
      entry({
        name: `2 limit: raw libSQL commits, Herald's ${statements}-statement batch`,
        unit: 'commits/s',
        value: shaped.perSecond,
        baseline: raw.perSecond,
        notes: `${notes}; baseline = order+buyer rows alone`,
      }),
    ]
    const c32 = shared.commands?.[32]
    if (c32) {
      entries.push(
        entry({
          name: '2 limit: bare route c=32 vs raw limit',
          unit: 'req/s',
          value: c32.bare,
          baseline: raw.perSecond,
          notes: 'share of the limit reached over HTTP',
        }),
        entry({
          name: '2 limit: Herald c=32 vs raw limit',
          unit: 'req/s',
          value: c32.herald,
          baseline: raw.perSecond,
          notes: 'share of the limit reached over HTTP',
        }),
      )
    }
    return entries
  },
}
