import type { InStatement } from '@libsql/client'
import type { AnyAggregate, DomainEvent, Repository, Statement } from '../kernel/index.ts'
import { outboxStore, requeueStatement } from './outbox/store.ts'
import type { Database } from './store/database.ts'
import { type EventStoreReader, eventStoreIndex } from './store/event-store.ts'
import { sqlJournal } from './store/journal.ts'

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
 * `AggregateStateRepaired` event is recorded in a `Reconciliation` stream through the journal, in
 * the repair's one commit (the aggregate's own stream is never rewritten) — and unpublished
 * outbox rows are queued again.
 */
export async function reconcile(
  deps: ReconcileDeps,
  options: { repair?: boolean; staleAfterMs?: number; onProgress?: (done: number, total: number) => void } = {},
): Promise<ReconcileReport> {
  const { database, clock } = deps
  const now = clock()
  const outbox = outboxStore(database)
  const work = await aggregatesToCheck(database, deps.replayers)
  const repair = options.repair ? repairLog(deps, now) : undefined
  const divergences: Divergence[] = []
  for (const [index, item] of work.entries()) {
    options.onProgress?.(index, work.length)
    const divergence = await checkAggregate(deps.events, item)
    if (!divergence) continue
    divergences.push(divergence.found)
    if (divergence.replayed) repair?.rewrite(item, divergence.replayed, divergence.found.kind)
  }
  options.onProgress?.(work.length, work.length)

  const unpublished = await outbox.unpublished(new Date(Date.parse(now) - (options.staleAfterMs ?? 60_000)).toISOString())
  for (const row of unpublished) divergences.push({ kind: 'unpublished', outboxId: row.id, topic: row.topic, status: row.status })
  repair?.requeue(unpublished.map((row) => row.id))

  await repair?.commit()
  if (repair && unpublished.length > 0) await deps.sweep?.()
  return {
    aggregatesChecked: work.length,
    outboxChecked: await outbox.total(),
    divergences,
    repaired: repair ? divergences.filter((d) => d.kind !== 'row-without-events' && d.kind !== 'invalid-stream').length : 0,
  }
}

interface Work {
  readonly replayer: Replayer
  readonly id: string
}

/** Every aggregate with a stored row or a stream, per replayer, in id order. */
async function aggregatesToCheck(database: Database, replayers: readonly Replayer[]): Promise<Work[]> {
  const events = eventStoreIndex(database)
  const work: Work[] = []
  for (const replayer of replayers) {
    const rows = await database.client.execute(`SELECT id FROM ${replayer.table}`)
    const streams = await events.aggregateIds(replayer.repository.aggregateType)
    const ids = [...new Set([...rows.rows.map((row) => String(row[0])), ...streams])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    for (const id of ids) work.push({ replayer, id })
  }
  return work
}

/** How one aggregate's row differs from its replayed stream; `replayed` when the stream can repair it. */
async function checkAggregate(events: EventStoreReader, { replayer, id }: Work): Promise<{ found: Divergence; replayed?: AnyAggregate } | undefined> {
  const { aggregateType } = replayer.repository
  const base = { aggregateType, aggregateId: id }
  const stream = await events.stream(aggregateType, id)
  const stored = await replayer.repository.load(id)
  if (stream.length === 0) return { found: { kind: 'row-without-events', ...base } }
  let replayed: AnyAggregate
  try {
    replayed = replayer.rebuild(id, stream)
  } catch (error) {
    return { found: { kind: 'invalid-stream', ...base, error: (error as Error).message } }
  }
  if (!stored) return { found: { kind: 'missing-row', ...base }, replayed }
  const fields = differingFields(stored.state, replayed.state)
  if (stored.version !== replayed.version) fields.push('version')
  return fields.length === 0 ? undefined : { found: { kind: 'state-mismatch', ...base, fields }, replayed }
}

/**
 * A repair's one commit: rows rewritten from replay, each with its `AggregateStateRepaired` event
 * in the run's `Reconciliation` stream (appended by the journal, stamped with the run's commit
 * id), and the unpublished outbox rows requeued.
 */
function repairLog({ database, newId }: Pick<ReconcileDeps, 'database' | 'newId'>, now: string) {
  const runId = newId()
  const statements: Statement[] = []
  let recorded = 0
  return {
    rewrite({ replayer, id }: Work, replayed: AnyAggregate, divergence: Divergence['kind']): void {
      const { aggregateType } = replayer.repository
      const event: DomainEvent = {
        id: newId(),
        aggregateType: 'Reconciliation',
        aggregateId: runId,
        aggregateVersion: ++recorded,
        type: 'AggregateStateRepaired',
        schemaVersion: 1,
        data: { aggregateType, aggregateId: id, divergence },
        correlationId: runId,
        causationId: null,
        occurredAt: now,
      }
      statements.push(
        { sql: `DELETE FROM ${replayer.table} WHERE id = ?`, args: [id] },
        ...replayer.repository.save(replayed, 0),
        ...sqlJournal.appendEvents([event], runId),
      )
    },
    requeue(ids: readonly string[]): void {
      for (const id of ids) statements.push(requeueStatement(now, [id]))
    },
    async commit(): Promise<void> {
      if (statements.length > 0) await database.write(() => database.client.batch(statements as InStatement[], 'write'))
    },
  }
}

function differingFields(stored: unknown, replayed: unknown): string[] {
  const a = (stored ?? {}) as Record<string, unknown>
  const b = (replayed ?? {}) as Record<string, unknown>
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k])).sort()
}
