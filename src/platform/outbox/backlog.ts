import type { Database } from '../store/database.ts'
import { outboxStore } from './store.ts'

export interface OutboxBacklogOptions {
  readonly database: Database
  /** Commands are refused while more than this many outbox rows are pending. */
  readonly maxPending: number
  /** How long a counted figure is trusted before the next command re-counts (default 250 ms). */
  readonly refreshMs?: number
  readonly now?: () => number
}

/**
 * How many outbox rows wait for the relay, cheaply enough to ask on every command: the COUNT
 * walks the `outbox_due (status, …)` index and stops at `maxPending + 1` rows, runs at most once
 * per `refreshMs` (concurrent callers share it), and rows this process commits in between are
 * added to the last count so a burst cannot overshoot the bound by a whole refresh period.
 */
export function outboxBacklog(options: OutboxBacklogOptions) {
  const { maxPending, refreshMs = 250 } = options
  const outbox = outboxStore(options.database)
  const now = options.now ?? Date.now
  let counted = 0
  let addedSince = 0
  let countedAt = Number.NEGATIVE_INFINITY

  async function count(): Promise<void> {
    const started = now()
    const added = addedSince
    counted = await outbox.countPending(maxPending + 1)
    // What committed while we counted may or may not be in the count: keeping it errs on the safe side only briefly.
    addedSince -= added
    countedAt = started
  }

  // One count at a time. A caller that finds one running goes on with the last figure instead of
  // awaiting it: sharing the in-flight count would make a Worker request await another request's
  // I/O, which workerd cancels as hung.
  let counting = false
  async function refresh(): Promise<void> {
    if (counting) return
    counting = true
    try {
      await count()
    } finally {
      counting = false
    }
  }

  return {
    /** The pending rows as last known (counted plus committed here since). */
    pending: () => counted + addedSince,
    /** True when a command must be refused. Counts again when the last figure is older than `refreshMs`. */
    async full(): Promise<boolean> {
      if (now() - countedAt >= refreshMs) await refresh()
      return counted + addedSince > maxPending
    },
    /** The command runner committed `n` outbox rows. */
    added(n: number): void {
      addedSince += n
    },
    /** Forget the figure (the relay drained): the next `full()` counts. */
    invalidate(): void {
      countedAt = Number.NEGATIVE_INFINITY
    },
    maxPending,
  }
}

export type OutboxBacklog = ReturnType<typeof outboxBacklog>
