/**
 * What one commit of Herald's batch costs in the SQL layer, with the disk taken out
 * (`PRAGMA synchronous = OFF`): `bun run bench/experiments/statements.ts`.
 *
 *  A. today: @libsql/client `batch` of the 8 statements one POST /orders commits
 *  B. the same rows as 4 statements (multi-row INSERT for the 4 events and for the 2 outbox rows)
 *  C. the 8 statements on the underlying `libsql` driver with prepared statements cached by SQL
 *     text (what @libsql/client cannot do: it prepares every statement on every call)
 *  D. reference: the bare route's 2-statement batch through @libsql/client
 */
import Database from 'libsql'
import { createClient, type InStatement } from '@libsql/client'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Statement } from '../../src/kernel/index.ts'
import { createReferenceHerald as createHerald } from '../../src/service/app.ts'
import { fromClient, openDatabase } from '../../src/platform/store/database.ts'
import { migrateReferenceDatabase as migrateDatabase } from '../../src/service/app.ts'
import { JSON_HEADERS, uniqueOrderBody } from '../harness/fixtures.ts'
import { median } from '../harness/stats.ts'
import { mergeInserts } from './fewer-statements.ts'

const dir = mkdtempSync(join(tmpdir(), 'herald-stmts-'))
const N = Number(process.argv[2] ?? 3000)

async function capture(count: number): Promise<Statement[][]> {
  const database = openDatabase({ url: `file:${join(dir, 'capture.db')}` })
  await migrateDatabase(database)
  const batches: Statement[][] = []
  const herald = createHerald({ database: { ...database, committer: { commit: async (s) => void batches.push([...s]) } } })
  for (let i = 0; i < count; i++) await herald.app.request('/orders', { method: 'POST', headers: JSON_HEADERS, body: uniqueOrderBody('cap', i) })
  database.close()
  return batches
}

async function fresh(name: string) {
  const client = createClient({ url: `file:${join(dir, `${name}.db`)}` })
  await migrateDatabase(fromClient(client))
  await client.execute('PRAGMA synchronous = OFF')
  return client
}

const batches = await capture(N * 2)
const results: Record<string, number[]> = { A: [], B: [], C: [], D: [] }
const a = await fresh('a')
const b = await fresh('b')
const d = await fresh('d')
const raw = new Database(join(dir, 'c.db'))
{
  const client = await fresh('c')
  client.close()
}
raw.exec('PRAGMA synchronous = OFF')
const cache = new Map<string, ReturnType<InstanceType<typeof Database>['prepare']>>()
const begin = raw.prepare('BEGIN IMMEDIATE')
const commit = raw.prepare('COMMIT')
const runC = (batch: Statement[]) => {
  begin.run()
  for (const s of batch) {
    let stmt = cache.get(s.sql)
    if (!stmt) {
      stmt = raw.prepare(s.sql)
      cache.set(s.sql, stmt)
    }
    stmt.run(s.args as unknown[])
  }
  commit.run()
}
const bareBatch = (i: number): InStatement[] => {
  const b = batches[i]!
  const order = b.find((s) => s.sql.startsWith('INSERT INTO ordering_orders'))!
  const buyer = b.find((s) => s.sql.startsWith('INSERT INTO ordering_buyers'))!
  return [order as InStatement, buyer as InStatement]
}

const rounds = 6
const per = Math.floor(N / rounds)
let offset = 0
const time = async (fn: (i: number) => unknown, from: number) => {
  const t = Bun.nanoseconds()
  for (let i = from; i < from + per; i++) await fn(i)
  return (Bun.nanoseconds() - t) / per / 1000
}
for (let r = 0; r < rounds; r++, offset += per) {
  results.A!.push(await time((i) => a.batch(batches[i] as InStatement[], 'write'), offset))
  results.B!.push(await time((i) => b.batch(mergeInserts(batches[i]!) as InStatement[], 'write'), offset))
  results.C!.push(await time((i) => runC(batches[i]!), offset))
  results.D!.push(await time((i) => d.batch(bareBatch(i), 'write'), offset))
}
const stmts = batches[0]!.length
console.log(`synchronous=OFF, median of ${rounds} batches × ${per} commits, µs per commit:`)
console.log(`  A  @libsql/client batch, ${stmts} statements (today)        ${median(results.A!).toFixed(0)}`)
console.log(`  B  @libsql/client batch, ${mergeInserts(batches[0]!).length} statements (multi-row inserts) ${median(results.B!).toFixed(0)}`)
console.log(`  C  libsql driver, ${stmts} cached prepared statements        ${median(results.C!).toFixed(0)}`)
console.log(`  D  bare route's 2-statement batch (reference)          ${median(results.D!).toFixed(0)}`)
for (const c of [a, b, d]) c.close()
raw.close()
rmSync(dir, { recursive: true, force: true })
