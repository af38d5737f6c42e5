/**
 * Figure 6 — growth. Figure 1's command run (POST /orders, c=32, Herald without messaging) and
 * `GET /orders/{id}/events` latency (c=1, over the orders that run created) on an empty event
 * store versus one holding `seedEvents` events (1,000,000; 50,000 in --quick), bulk-loaded by
 * one INSERT … SELECT over a recursive CTE into a copy of the same migrated file, 4 events per
 * aggregate over seedEvents/4 Order streams. Both files are served at once and measured in
 * alternating runs (harness/pair.ts); the reads go to orders the POST runs created (2 events
 * each), so both sides read streams of the same length and only the store's size differs.
 */
import { copyFileSync } from 'node:fs'
import { join } from 'node:path'
import { openDatabase } from '../../src/platform/store/database.ts'
import { migrateReferenceDatabase as migrateDatabase } from '../../src/service/app.ts'
import { type LoadShape, measurePair } from '../harness/pair.ts'
import { entry } from '../harness/report.ts'
import { seedDomainEvents } from '../harness/seed.ts'
import type { Figure } from '../harness/suite.ts'
import { ordersShape } from './1-commands.ts'

const CONNECTIONS = 32

/** GET /orders/{id}/events at c=1, cycling through orders the POST runs created. */
function readShape(orderIds: readonly string[]): LoadShape {
  if (orderIds.length === 0) throw new Error('no orders to read')
  return {
    connections: 1,
    request: (index) => ({ method: 'GET', path: `/orders/${orderIds[index % orderIds.length]}/events` }),
    expectStatus: 200,
  }
}

export const growthFigure: Figure = {
  id: '6',
  title: 'Growth: commands and event reads, empty event store vs seeded',
  async run(config) {
    const emptyMaster = join(config.workDir, 'f6-empty-master.db')
    const seededMaster = join(config.workDir, 'f6-seeded-master.db')
    const database = openDatabase({ url: `file:${emptyMaster}` })
    await migrateDatabase(database)
    await database.client.execute('PRAGMA wal_checkpoint(TRUNCATE)')
    database.close()
    copyFileSync(emptyMaster, seededMaster)
    const seeded = await seedDomainEvents(seededMaster, config.seedEvents)
    const label =
      config.seedEvents >= 1_000_000 && config.seedEvents % 1_000_000 === 0 ? `${config.seedEvents / 1_000_000}M` : `${Math.round(config.seedEvents / 1000)}k`
    config.log(
      `  seeded ${seeded.rows.toLocaleString('en')} events in ${seeded.seconds.toFixed(1)} s${config.quick ? ' (--quick: fewer events than the 1M of a full run)' : ''}`,
    )

    const emptyDb = join(config.workDir, 'f6-empty.db')
    const seededDb = join(config.workDir, 'f6-seeded.db')
    copyFileSync(emptyMaster, emptyDb)
    copyFileSync(seededMaster, seededDb)
    const ids = { empty: [] as string[], seeded: [] as string[] }
    const tag = `f6-${Date.now().toString(36)}`
    const spec = (dbPath: string) => ({ kind: 'herald' as const, dbPath, experiments: config.experiments })
    const post = await measurePair(
      config,
      { label: 'empty', spec: spec(emptyDb), shape: () => ordersShape(`${tag}-e`, CONNECTIONS, (id) => ids.empty.push(id)) },
      { label: label, spec: spec(seededDb), shape: () => ordersShape(`${tag}-s`, CONNECTIONS, (id) => ids.seeded.push(id)) },
    )
    const read = await measurePair(
      config,
      { label: 'empty', spec: spec(emptyDb), shape: () => readShape(ids.empty) },
      { label: label, spec: spec(seededDb), shape: () => readShape(ids.seeded) },
    )
    const quickNote = config.quick ? ` (--quick: ${label} events, not 1M)` : ''
    const notes = `seeded store = ${seeded.rows} events over ${seeded.rows / 4} Order streams${quickNote}; ${config.rounds} alternating runs of ${config.durationSec}s; baseline = empty store`
    return [
      entry({
        name: `6 growth: POST /orders c=32 throughput, ${label} events vs empty`,
        unit: 'req/s',
        value: post.subject.rps,
        baseline: post.baseline.rps,
        target: { on: 'ratio', op: '>=', limit: 0.9 },
        notes,
      }),
      entry({
        name: `6 growth: POST /orders c=32 p99, ${label} events vs empty`,
        unit: 'ms',
        value: post.subject.latency.p99,
        baseline: post.baseline.latency.p99,
        notes,
      }),
      entry({
        name: `6 growth: GET /orders/{id}/events p50, ${label} events vs empty`,
        unit: 'ms',
        value: read.subject.latency.p50,
        baseline: read.baseline.latency.p50,
        notes: `c=1; ${notes}`,
      }),
      entry({
        name: `6 growth: GET /orders/{id}/events p99, empty store`,
        unit: 'ms',
        value: read.baseline.latency.p99,
        target: { on: 'value', op: '<=', limit: 5 },
        notes: `c=1; ${notes}`,
      }),
      entry({
        name: `6 growth: GET /orders/{id}/events p99, ${label} events vs empty`,
        unit: 'ms',
        value: read.subject.latency.p99,
        baseline: read.baseline.latency.p99,
        target: { on: 'value', op: '<=', limit: 5 },
        notes: `c=1; ${notes}`,
      }),
    ]
  },
}
