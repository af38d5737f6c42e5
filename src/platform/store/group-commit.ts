import type { Client, InStatement } from '@libsql/client'
import { type Committer, ConcurrencyError, type Statement } from '../../kernel/index.ts'
import { isConflict } from './conflict.ts'

/**
 * Group commit for the embedded libSQL file. Every commit there is an fsync, and the write lane
 * serialises commits, so throughput is capped near 1/fsync whatever the CPU does. Batches that
 * reach `commit()` together are written in ONE transaction, each inside its own SAVEPOINT:
 *  - each command stays atomic: a failing batch is rolled back to its savepoint and only that
 *    command's commit() rejects (a constraint violation is still a ConcurrencyError, so the
 *    runner re-runs it on fresh state); the rest of the group commits;
 *  - one COMMIT, one fsync, per group; every commit() resolves only once it is durable;
 *  - it runs in the write lane `database.write` uses, so the relay's writes never overlap.
 * Conflicts between commands of one group are caught by the same unique keys / occ_guard: the
 * later savepoint sees the earlier one's rows. Hot aggregates: commands on one aggregate that
 * arrive together read the same version and all but one lose, so after a group with a loser the
 * 'adaptive' policy commits alone, as before, for 50 ms (see bench/README.md for the numbers).
 * Remote databases keep the one-batch committer: an interactive transaction over HTTP would cost
 * a round-trip per statement.
 */

export interface Tx {
  exec(sql: string): Promise<void>
  run(statements: readonly Statement[]): Promise<void>
  commit(): Promise<void>
  rollback(): void
}

/** How a committer opens a write transaction, and how it commits one batch alone. */
export interface Writer {
  begin(): Promise<Tx>
  single(statements: readonly Statement[]): Promise<void>
}

/** @libsql/client's own path: `batch` alone, an interactive transaction for a group. */
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
  }
}

export type Lane = <T>(task: () => Promise<T>) => Promise<T>
export const conflictOr = (error: unknown) => (isConflict(error) ? new ConcurrencyError() : error)

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
  for (const [i, pending] of group.entries()) {
    if (outcomes[i] === undefined) pending.resolve()
    else pending.reject(outcomes[i])
  }
  return outcomes.some((o) => o instanceof ConcurrencyError)
}
