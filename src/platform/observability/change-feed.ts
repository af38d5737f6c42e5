import { OUTBOX_MARKER_COLUMNS } from '../outbox/store.ts'
import type { Database } from '../store/database.ts'
import { EVENTS_MARKER_COLUMN } from '../store/event-store.ts'
import { DELIVERIES_MARKER_COLUMN } from './delivery-log.ts'

/** Cheap markers of "something happened": each only grows or moves when its source changed. */
export interface ChangeMarker {
  /** Event store: highest global position. */
  readonly events: number
  /** Delivery log: highest row id. */
  readonly deliveries: number
  /** Outbox: rows ever written, and the rows still waiting (with their publish attempts) or failed. */
  readonly outbox: { readonly rows: number; readonly pending: number; readonly pendingAttempts: number; readonly failed: number }
}

export type ChangePart = 'events' | 'deliveries' | 'outbox'

export interface ChangeNotice extends ChangeMarker {
  readonly changed: readonly ChangePart[]
}

export type ChangeListener = (notice: ChangeNotice) => void

// ONE query, its columns written by each table's owner. Each sub-select is an index or rowid
// lookup: MAX over a primary key, and counts over the (status, next_attempt_at) index restricted
// to the few rows not yet published.
const MARKER_SQL = `SELECT ${EVENTS_MARKER_COLUMN}, ${DELIVERIES_MARKER_COLUMN}, ${OUTBOX_MARKER_COLUMNS}`

export async function readChangeMarker(database: Database): Promise<ChangeMarker> {
  const { rows } = await database.client.execute(MARKER_SQL)
  const row = rows[0] ?? {}
  const n = (key: string) => Number((row as Record<string, unknown>)[key] ?? 0)
  return {
    events: n('events'),
    deliveries: n('deliveries'),
    outbox: { rows: n('outbox_rows'), pending: n('outbox_pending'), pendingAttempts: n('outbox_pending_attempts'), failed: n('outbox_failed') },
  }
}

export function changedParts(before: ChangeMarker, after: ChangeMarker): ChangePart[] {
  const parts: ChangePart[] = []
  if (before.events !== after.events) parts.push('events')
  if (before.deliveries !== after.deliveries) parts.push('deliveries')
  const a = before.outbox
  const b = after.outbox
  if (a.rows !== b.rows || a.pending !== b.pending || a.pendingAttempts !== b.pendingAttempts || a.failed !== b.failed) parts.push('outbox')
  return parts
}

/**
 * ONE poller for every connected dashboard: it runs only while someone listens, reads the
 * markers every `intervalMs` (one small query, skipped when the previous one is still running)
 * and tells each listener what changed. Listeners must not throw; one that does is dropped.
 */
export function changeFeed(database: Database, options: { intervalMs?: number; read?: () => Promise<ChangeMarker> } = {}) {
  const intervalMs = options.intervalMs ?? 250
  const read = options.read ?? (() => readChangeMarker(database))
  const listeners = new Set<ChangeListener>()
  let timer: ReturnType<typeof setInterval> | undefined
  let last: ChangeMarker | undefined
  let busy = false
  let failing = false

  async function tick(): Promise<void> {
    if (busy) return
    busy = true
    try {
      const now = await read()
      failing = false
      const changed = last ? changedParts(last, now) : []
      last = now
      if (changed.length === 0) return
      const notice: ChangeNotice = { ...now, changed }
      for (const listener of [...listeners]) {
        try {
          listener(notice)
        } catch {
          listeners.delete(listener)
        }
      }
    } catch (error) {
      // The database may be busy or briefly unreachable: try again on the next tick (and say
      // so once per outage, not four times a second).
      if (!failing) console.warn('[herald] dashboard change feed: could not read markers; retrying:', (error as Error).message)
      failing = true
    } finally {
      busy = false
      if (listeners.size === 0) stop()
    }
  }

  function stop(): void {
    if (timer !== undefined) clearInterval(timer)
    timer = undefined
    last = undefined
  }

  return {
    /** Starts the poller with the first listener; the returned function unsubscribes (idempotent). */
    subscribe(listener: ChangeListener): () => void {
      listeners.add(listener)
      if (timer === undefined) {
        timer = setInterval(() => void tick(), intervalMs)
        // Bun/Node: the poller alone must not keep the process alive.
        ;(timer as { unref?: () => void }).unref?.()
        void tick()
      }
      return () => {
        listeners.delete(listener)
        if (listeners.size === 0) stop()
      }
    },
    /** The current markers (read now; used for a new client's first message). */
    current: () => read(),
    /** How many listeners are connected (for tests and health output). */
    get listeners(): number {
      return listeners.size
    },
    /** Whether the shared poller is running. */
    get running(): boolean {
      return timer !== undefined
    },
    /** Stops polling and forgets every listener. */
    close(): void {
      listeners.clear()
      stop()
    },
  }
}

export type ChangeFeed = ReturnType<typeof changeFeed>
