import type { InStatement } from '@libsql/client'
import type { AnyAggregate, Repository } from '../kernel/index.ts'
import type { Database } from './store/database.ts'
import type { EventStoreReader } from './store/event-store.ts'

/** How one aggregate type is rebuilt from its stream and compared with its stored row. */
export interface Replayer {
  /** Where the stored rows live (listed to find rows without a stream). */
  readonly table: string
  /** Loads the stored row; `save(aggregate, 0)` writes a fresh one. */
  readonly repository: Repository<AnyAggregate>
  /** The aggregate replay yields; throws if the stream is not a valid history. */
  rebuild(id: string, events: readonly { type: string; data: unknown }[]): AnyAggregate
}

export type Divergence =
  | { readonly kind: 'state-mismatch'; readonly aggregateType: string; readonly aggregateId: string; readonly fields: string[] }
  | { readonly kind: 'missing-row'; readonly aggregateType: string; readonly aggregateId: string }
  | { readonly kind: 'row-without-events'; readonly aggregateType: string; readonly aggregateId: string }
  | { readonly kind: 'invalid-stream'; readonly aggregateType: string; readonly aggregateId: string; readonly error: string }
  | { readonly kind: 'unpublished'; readonly outboxId: string; readonly topic: string; readonly status: string }

export interface ReconcileReport {
  readonly aggregatesChecked: number
  readonly outboxChecked: number
  readonly divergences: readonly Divergence[]
  readonly repaired: number
}

export interface ReconcileDeps {
  readonly database: Database
  readonly events: EventStoreReader
  readonly replayers: readonly Replayer[]
  readonly clock: () => string
  readonly newId: () => string
  /** Publishes re-queued outbox rows (the relay's sweep); without it they wait for the next sweep. */
  readonly sweep?: () => Promise<unknown>
}

/**
 * The seeds' "compensatory actions": replays every aggregate's event stream and compares it with
 * the stored row, and checks that every committed integration event was published. With
 * `repair`, the event stream wins — the row is rewritten from replay and an
 * `AggregateStateRepaired` event is recorded in a `Reconciliation` stream (the aggregate's own
 * stream is never rewritten) — and unpublished outbox rows are queued again.
 */
export async function reconcile(
  deps: ReconcileDeps,
  options: { repair?: boolean; staleAfterMs?: number; onProgress?: (done: number, total: number) => void } = {},
): Promise<ReconcileReport> {
  const { database, events, replayers, clock, newId } = deps
  const now = clock()
  const divergences: Divergence[] = []
  const repairs: InStatement[] = []
  const runId = newId()
  let recorded = 0

  const work: { replayer: Replayer; id: string }[] = []
  for (const replayer of replayers) {
    const ids = await database.client.execute({
      sql: `SELECT id FROM ${replayer.table} UNION SELECT aggregate_id FROM domain_events WHERE aggregate_type = ? ORDER BY 1`,
      args: [replayer.repository.aggregateType],
    })
    for (const row of ids.rows) work.push({ replayer, id: String(row[0]) })
  }

  for (const [index, { replayer, id }] of work.entries()) {
    options.onProgress?.(index, work.length)
    const { aggregateType } = replayer.repository
    const stream = await events.stream(aggregateType, id)
    const stored = await replayer.repository.load(id)
    const base = { aggregateType, aggregateId: id }
    if (stream.length === 0) {
      divergences.push({ kind: 'row-without-events', ...base })
      continue
    }
    let replayed: AnyAggregate
    try {
      replayed = replayer.rebuild(id, stream)
    } catch (error) {
      divergences.push({ kind: 'invalid-stream', ...base, error: (error as Error).message })
      continue
    }
    if (!stored) {
      divergences.push({ kind: 'missing-row', ...base })
    } else {
      const fields = differingFields(stored.state, replayed.state)
      if (stored.version !== replayed.version) fields.push('version')
      if (fields.length === 0) continue
      divergences.push({ kind: 'state-mismatch', ...base, fields })
    }
    if (options.repair) {
      repairs.push({ sql: `DELETE FROM ${replayer.table} WHERE id = ?`, args: [id] }, ...(replayer.repository.save(replayed, 0) as InStatement[]), {
        sql: `INSERT INTO domain_events (id, aggregate_type, aggregate_id, aggregate_version, type, schema_version, data, correlation_id, causation_id, occurred_at)
            VALUES (?, 'Reconciliation', ?, ?, 'AggregateStateRepaired', 1, ?, ?, NULL, ?)`,
        args: [newId(), runId, ++recorded, JSON.stringify({ ...base, divergence: divergences.at(-1)!.kind }), runId, now],
      })
    }
  }
  options.onProgress?.(work.length, work.length)

  const staleBefore = new Date(Date.parse(now) - (options.staleAfterMs ?? 60_000)).toISOString()
  const outbox = await database.client.execute({
    sql: `SELECT id, topic, status FROM outbox WHERE status = 'failed' OR (status = 'pending' AND created_at < ?) ORDER BY created_at`,
    args: [staleBefore],
  })
  const outboxTotal = await database.client.execute('SELECT COUNT(*) AS n FROM outbox')
  for (const row of outbox.rows) {
    divergences.push({ kind: 'unpublished', outboxId: String(row.id), topic: String(row.topic), status: String(row.status) })
    if (options.repair) {
      repairs.push({
        sql: "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = ?, lease_until = NULL WHERE id = ?",
        args: [now, String(row.id)],
      })
    }
  }

  if (repairs.length > 0) await database.write(() => database.client.batch(repairs, 'write'))
  if (options.repair && outbox.rows.length > 0) await deps.sweep?.()
  return {
    aggregatesChecked: work.length,
    outboxChecked: Number(outboxTotal.rows[0]?.n ?? 0),
    divergences,
    repaired: options.repair ? divergences.filter((d) => d.kind !== 'row-without-events' && d.kind !== 'invalid-stream').length : 0,
  }
}

function differingFields(stored: unknown, replayed: unknown): string[] {
  const a = (stored ?? {}) as Record<string, unknown>
  const b = (replayed ?? {}) as Record<string, unknown>
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k])).sort()
}
