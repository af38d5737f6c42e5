import type { Client, InStatement } from '@libsql/client'
import Driver from 'libsql'
import { type Committer, ConcurrencyError, type Statement } from '../../src/kernel/index.ts'
import { type Database, isConflict } from '../../src/platform/store/database.ts'

/**
 * PROPOSALS (bench-only until applied to src/platform/store/database.ts), as committers that
 * `withCommitter` swaps into a Database without touching src/:
 *
 * 1. GROUP COMMIT. On an embedded file every commit is an fsync (WAL, synchronous=FULL), and the
 *    write lane serialises commits, so throughput is capped near 1/fsync whatever the CPU does.
 *    The group committer queues the batches that reach commit() while others are being written
 *    (and in the same event-loop turns), and writes up to `maxGroup` of them in ONE transaction,
 *    each inside its own SAVEPOINT:
 *     - each command stays atomic: a failing batch is rolled back to its savepoint and only that
 *       command's commit() rejects (a constraint violation is still a ConcurrencyError, so the
 *       runner re-runs it on fresh state); the rest of the group commits;
 *     - one COMMIT, one fsync, per group; every commit() resolves only after it is durable;
 *     - it runs in the same write lane as `database.write`, so the relay's writes never overlap.
 *    Conflicts between commands of one group are caught by the same unique keys / occ_guard as
 *    today: the later savepoint sees the earlier one's rows.
 *    Hot aggregates: grouping delays each commit to the end of the turn, so commands on one
 *    aggregate that arrive together read the same version and all but one lose. The 'adaptive'
 *    policy (default) commits alone, as today, for 50 ms after a group had a loser, and the
 *    retry jitter now in src/kernel/command-runner.ts spreads the losers' retries over separate tasks; with
 *    both, test/reliability/concurrency-invariants passes (it fails with plain 'settle').
 *
 * 2. PREPARED STATEMENTS. @libsql/client prepares every statement on every call (and probes each
 *    with raw(), which throws for statements returning no rows). The `prepared` writer commits
 *    through the `libsql` driver underneath it, on its own connection to the same file, with
 *    statements prepared once and cached by SQL text (Herald's SQL is constant: journal.ts).
 */

interface Tx {
  exec(sql: string): Promise<void>
  run(statements: readonly Statement[]): Promise<void>
  commit(): Promise<void>
  rollback(): void
}

/** How a committer opens a write transaction, and how it commits one batch alone. */
export interface Writer {
  begin(): Promise<Tx>
  single(statements: readonly Statement[]): Promise<void>
  close(): void
}

/** Today's path: @libsql/client `batch` (alone) or an interactive transaction (groups). */
export function clientWriter(client: Client): Writer {
  return {
    async begin() {
      const tx = await client.transaction('write')
      return {
        exec: async (sql) => void (await tx.execute(sql)),
        run: async (statements) => void (await tx.batch(statements as InStatement[])),
        commit: () => tx.commit(),
        rollback: () => tx.close(),
      }
    },
    single: async (statements) => void (await client.batch(statements as InStatement[], 'write')),
    close: () => undefined,
  }
}

/** The `libsql` driver on its own connection, statements prepared once per SQL text. */
export function preparedWriter(path: string, timeoutMs = 5000): Writer {
  const db = new Driver(path, { timeout: timeoutMs })
  // Analysis knob for breakdown.ts (which takes the disk out): the connection's own pragma.
  if (process.env.BENCH_SYNCHRONOUS) db.exec(`PRAGMA synchronous = ${process.env.BENCH_SYNCHRONOUS}`)
  const cache = new Map<string, ReturnType<InstanceType<typeof Driver>['prepare']>>()
  const prepared = (sql: string) => {
    let statement = cache.get(sql)
    if (!statement) cache.set(sql, (statement = db.prepare(sql)))
    return statement
  }
  const exec = (sql: string) => void prepared(sql).run([])
  const run = (statements: readonly Statement[]) => {
    for (const s of statements) prepared(s.sql).run(s.args as unknown[])
  }
  const rollback = () => {
    if (db.inTransaction) exec('ROLLBACK')
  }
  return {
    async begin() {
      exec('BEGIN IMMEDIATE')
      return { exec: async (sql) => exec(sql), run: async (s) => run(s), commit: async () => exec('COMMIT'), rollback }
    },
    async single(statements) {
      exec('BEGIN IMMEDIATE')
      try {
        run(statements)
        exec('COMMIT')
      } catch (error) {
        rollback()
        throw error
      }
    },
    close: () => db.close(),
  }
}

type Lane = <T>(task: () => Promise<T>) => Promise<T>
const conflictOr = (error: unknown) => (isConflict(error) ? new ConcurrencyError() : error)

/** One batch, one transaction (today's behaviour), on `writer`. */
export function singleCommitter(writer: Writer, lane: Lane): Committer {
  return {
    commit: (statements) =>
      lane(async () => {
        try {
          await writer.single(statements)
        } catch (error) {
          throw conflictOr(error)
        }
      }),
  }
}

interface Pending {
  readonly statements: readonly Statement[]
  readonly resolve: () => void
  readonly reject: (error: unknown) => void
}

export type FlushPolicy =
  /** Flush on the next macrotask after the first commit() of a group. */
  | 'immediate'
  /** Keep waiting one more macrotask while new commits keep arriving (at most `maxTurns`). */
  | 'settle'
  /**
   * 'settle', but after a group in which a command lost a race (ConcurrencyError), commit each
   * batch alone at once, as today, for `soloMs` (50 ms): the retries of a hot aggregate then get
   * today's read → commit window instead of colliding again in the next group.
   */
  | 'adaptive'


export function groupCommitter(
  writer: Writer,
  lane: Lane,
  options: { maxGroup?: number; policy?: FlushPolicy; maxTurns?: number; soloMs?: number } = {},
): Committer {
  const { maxGroup = 64, policy = 'adaptive', maxTurns = 8, soloMs = 50 } = options
  let soloUntil = 0
  const solo = (statements: readonly Statement[]) =>
    lane(async () => {
      try {
        await writer.single(statements)
      } catch (error) {
        throw conflictOr(error)
      }
    })
  const queue: Pending[] = []
  let scheduled = false

  const flush = async (): Promise<void> => {
    scheduled = false
    while (queue.length > 0) {
      const group = queue.splice(0, maxGroup)
      const conflicted = await lane(() => writeGroup(writer, group))
      if (conflicted && policy === 'adaptive') soloUntil = Date.now() + soloMs
    }
  }

  const schedule = () => {
    scheduled = true
    if (policy === 'immediate') return void setImmediate(() => void flush())
    // 'settle' and 'adaptive' wait the same way.
    // 'settle': a lone command flushes on the next turn (no added wait at concurrency 1); while
    // other commands keep reaching commit() turn after turn, wait for them to join.
    let seen = queue.length
    let turns = 0
    const tick = () => {
      if (queue.length > seen && queue.length < maxGroup && ++turns < maxTurns) {
        seen = queue.length
        setImmediate(tick)
      } else void flush()
    }
    setImmediate(tick)
  }

  return {
    commit: (statements) => {
      if (policy === 'adaptive' && Date.now() < soloUntil) return solo(statements)
      return new Promise<void>((resolve, reject) => {
        queue.push({ statements, resolve, reject })
        if (!scheduled) schedule()
      })
    },
  }
}

/** Writes one group; true when one of its commands lost a race (ConcurrencyError). */
async function writeGroup(writer: Writer, group: readonly Pending[]): Promise<boolean> {
  if (group.length === 1) {
    // A lone command: exactly the single-batch path (no savepoint overhead).
    const [only] = group as [Pending]
    try {
      await writer.single(only.statements)
      only.resolve()
    } catch (error) {
      const mapped = conflictOr(error)
      only.reject(mapped)
      return mapped instanceof ConcurrencyError
    }
    return false
  }
  const outcomes: unknown[] = []
  let tx: Tx | undefined
  try {
    tx = await writer.begin()
    for (const pending of group) {
      await tx.exec('SAVEPOINT herald_command')
      try {
        await tx.run(pending.statements)
        await tx.exec('RELEASE herald_command')
        outcomes.push(undefined)
      } catch (error) {
        await tx.exec('ROLLBACK TO herald_command')
        await tx.exec('RELEASE herald_command')
        outcomes.push(conflictOr(error) ?? new Error('batch failed'))
      }
    }
    await tx.commit()
  } catch (error) {
    // The transaction itself failed (BEGIN, a savepoint, COMMIT): nothing of the group is durable.
    tx?.rollback()
    for (const pending of group) pending.reject(error)
    return false
  }
  group.forEach((pending, i) => (outcomes[i] === undefined ? pending.resolve() : pending.reject(outcomes[i])))
  return outcomes.some((o) => o instanceof ConcurrencyError)
}

export interface CommitterChoice {
  readonly grouped: boolean
  readonly prepared: boolean
  readonly policy?: FlushPolicy
}

/** Swaps a Database's committer, keeping its write lane (the mutex `database.write` uses). */
export function withCommitter(database: Database, dbPath: string | undefined, choice: CommitterChoice): Database {
  if (choice.prepared && !dbPath) throw new Error('the prepared writer needs the database file path')
  const lane: Lane = (task) => database.write(task)
  const writer = choice.prepared ? preparedWriter(dbPath!) : clientWriter(database.client)
  const committer = choice.grouped ? groupCommitter(writer, lane, { policy: choice.policy ?? 'adaptive' }) : singleCommitter(writer, lane)
  return {
    ...database,
    committer,
    close() {
      writer.close()
      database.close()
    },
  }
}
