import Driver from 'libsql'
import type { Committer } from '../../src/kernel/index.ts'
import type { Database } from '../../src/platform/store/database.ts'
import { clientWriter, conflictOr, type FlushPolicy, groupCommitter, type Lane, type Writer } from '../../src/platform/store/group-commit.ts'
import { preparedWriter as filePreparedWriter } from '../../src/platform/store/prepared-writer.ts'

/**
 * Committers that `withCommitter` swaps into a Database for comparison. Group commit itself now
 * lives in src/platform/store/group-commit.ts (used by default on embedded files); this file only
 * adds the writers and choices the benchmarks compare it with.
 *
 * 1. GROUP COMMIT (src/platform/store/group-commit.ts). On an embedded file every commit is an fsync (WAL, synchronous=FULL), and the
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
 *    src/platform/store/prepared-writer.ts is now what `openDatabase` uses on an embedded file,
 *    so today's committer already prepares once; these choices stay for comparisons.
 */

/** src's prepared writer on a connection of its own to `path` (what `openDatabase` does for a file). */
export function preparedWriter(path: string, timeoutMs = 5000): Writer & { close(): void } {
  const db = new Driver(path, { timeout: timeoutMs })
  // Analysis knob for breakdown.ts (which takes the disk out): the connection's own pragma.
  if (process.env.BENCH_SYNCHRONOUS) db.exec(`PRAGMA synchronous = ${process.env.BENCH_SYNCHRONOUS}`)
  return { ...filePreparedWriter(db), close: () => db.close() }
}

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

export interface CommitterChoice {
  readonly grouped: boolean
  readonly prepared: boolean
  readonly policy?: FlushPolicy
}

/** Swaps a Database's committer, keeping its write lane (the mutex `database.write` uses). */
export function withCommitter(database: Database, dbPath: string | undefined, choice: CommitterChoice): Database {
  if (choice.prepared && !dbPath) throw new Error('the prepared writer needs the database file path')
  const lane: Lane = (task) => database.write(task)
  const prepared = choice.prepared ? preparedWriter(dbPath!) : undefined
  const writer = prepared ?? clientWriter(database.client)
  const committer = choice.grouped ? groupCommitter(writer, lane, { policy: choice.policy ?? 'adaptive' }) : singleCommitter(writer, lane)
  return {
    ...database,
    committer,
    close() {
      prepared?.close()
      database.close()
    },
  }
}
