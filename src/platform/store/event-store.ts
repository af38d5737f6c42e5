import type { InValue } from '@libsql/client'
import type { DomainEvent, Statement } from '../../kernel/index.ts'
import { type Database, parameters } from './database.ts'

/*
 * The `domain_events` table's one owner: every statement that names it is here. The journal
 * appends through it (so reconcile's own events do too), and replay, the event routes,
 * reconcile, the change feed and the dashboard read through it.
 */

export interface StoredEvent {
  readonly position: number
  readonly id: string
  readonly type: string
  readonly aggregateType: string
  readonly aggregateId: string
  readonly version: number
  readonly schemaVersion: number
  readonly data: unknown
  readonly occurredAt: string
  readonly correlationId: string
  readonly causationId: string | null
  /** The commit that wrote it (null for events stored before commit ids). */
  readonly commitId?: string | null
}

export interface EventQuery {
  readonly aggregateType?: string
  readonly aggregateId?: string
  readonly type?: string
  /** Inclusive lower bound on occurredAt (ISO-8601). */
  readonly from?: string
  /** Exclusive upper bound on occurredAt. */
  readonly to?: string
  /** Global position to continue after (paging cursor). */
  readonly after?: number
  readonly limit?: number
}

/** The columns {@link toStoredEvent} reads. */
const STORED_EVENT_COLUMNS = `position, id, type, aggregate_type, aggregate_id, aggregate_version, schema_version, data,
  occurred_at, correlation_id, causation_id, commit_id`

const INSERT_EVENT = `INSERT INTO domain_events
  (id, aggregate_type, aggregate_id, aggregate_version, type, schema_version, data, correlation_id, causation_id, occurred_at, commit_id)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

/** The command's events, for its batch (constant SQL, cached plans). */
export const appendStatements = (events: readonly DomainEvent[], commitId?: string): Statement[] =>
  events.map((e) => ({
    sql: INSERT_EVENT,
    args: [
      e.id,
      e.aggregateType,
      e.aggregateId,
      e.aggregateVersion,
      e.type,
      e.schemaVersion,
      JSON.stringify(e.data),
      e.correlationId,
      e.causationId,
      e.occurredAt,
      commitId ?? null,
    ],
  }))

/** The change feed's marker for the event store, as a column of its one SELECT: the highest position. */
export const EVENTS_MARKER_COLUMN = '(SELECT COALESCE(MAX(position), 0) FROM domain_events) AS events'

/** Read side of the event store. Upcasting of old schema versions plugs in via `upcast`. */
export function eventStoreReader(database: Database, upcast: (event: StoredEvent) => StoredEvent = (e) => e) {
  const { client } = database
  return {
    async stream(aggregateType: string, aggregateId: string): Promise<StoredEvent[]> {
      const { rows } = await client.execute({
        sql: `SELECT ${STORED_EVENT_COLUMNS} FROM domain_events WHERE aggregate_type = ? AND aggregate_id = ? ORDER BY aggregate_version`,
        args: [aggregateType, aggregateId],
      })
      return rows.map((row) => upcast(toStoredEvent(row)))
    },

    async query(query: EventQuery): Promise<StoredEvent[]> {
      const where: string[] = []
      const args: InValue[] = []
      const filter = (clause: string, value: InValue | undefined) => {
        if (value === undefined) return
        where.push(clause)
        args.push(value)
      }
      filter('aggregate_type = ?', query.aggregateType)
      filter('aggregate_id = ?', query.aggregateId)
      filter('type = ?', query.type)
      filter('occurred_at >= ?', query.from)
      filter('occurred_at < ?', query.to)
      filter('position > ?', query.after)
      args.push(query.limit ?? 100)
      const { rows } = await client.execute({
        sql: `SELECT ${STORED_EVENT_COLUMNS} FROM domain_events ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY position LIMIT ?`,
        args,
      })
      return rows.map((row) => upcast(toStoredEvent(row)))
    },
  }
}

export type EventStoreReader = ReturnType<typeof eventStoreReader>

/**
 * What the toolkit itself asks of the event store beyond one stream: the aggregates it holds
 * (reconcile) and the conversations an aggregate took part in (the dashboard). Events come as
 * stored, without upcasting.
 */
export function eventStoreIndex(database: Database) {
  const { client } = database
  return {
    /** Every aggregate id of a type that has a stream. */
    async aggregateIds(aggregateType: string): Promise<string[]> {
      const { rows } = await client.execute({ sql: 'SELECT DISTINCT aggregate_id FROM domain_events WHERE aggregate_type = ?', args: [aggregateType] })
      return rows.map((row) => String(row.aggregate_id))
    },

    /** The correlation ids of an aggregate's events, each with its first instant. */
    async conversationsOf(aggregateType: string, aggregateId: string): Promise<{ correlationId: string; since: string }[]> {
      const { rows } = await client.execute({
        sql: `SELECT correlation_id, MIN(occurred_at) AS since FROM domain_events
          WHERE aggregate_type = ? AND aggregate_id = ? GROUP BY correlation_id`,
        args: [aggregateType, aggregateId],
      })
      return rows.map((r) => ({ correlationId: String(r.correlation_id), since: String(r.since) }))
    },

    /** The events of some conversations since `since`, in store order. */
    async inConversations(correlationIds: readonly string[], since: string, limit: number): Promise<StoredEvent[]> {
      if (correlationIds.length === 0) return []
      // The time bound keeps the scan to the rows written since the chain started.
      const { rows } = await client.execute({
        sql: `SELECT ${STORED_EVENT_COLUMNS} FROM domain_events WHERE occurred_at >= ? AND correlation_id IN (${parameters(correlationIds)}) ORDER BY position LIMIT ?`,
        args: [since, ...correlationIds, limit],
      })
      return rows.map(toStoredEvent)
    },

    /** The instant of each aggregate's latest event (aggregates without one are left out). */
    async lastEventAt(aggregateType: string, aggregateIds: readonly string[]): Promise<Map<string, string>> {
      if (aggregateIds.length === 0) return new Map()
      const { rows } = await client.execute({
        sql: `SELECT aggregate_id, MAX(occurred_at) AS last_event_at FROM domain_events
          WHERE aggregate_type = ? AND aggregate_id IN (${parameters(aggregateIds)}) GROUP BY aggregate_id`,
        args: [aggregateType, ...aggregateIds],
      })
      return new Map(rows.map((r) => [String(r.aggregate_id), String(r.last_event_at)]))
    },
  }
}

export type EventStoreIndex = ReturnType<typeof eventStoreIndex>

export function toStoredEvent(row: Record<string, unknown>): StoredEvent {
  return {
    position: Number(row.position),
    id: String(row.id),
    type: String(row.type),
    aggregateType: String(row.aggregate_type),
    aggregateId: String(row.aggregate_id),
    version: Number(row.aggregate_version),
    schemaVersion: Number(row.schema_version),
    data: JSON.parse(String(row.data)),
    occurredAt: String(row.occurred_at),
    correlationId: String(row.correlation_id),
    causationId: row.causation_id === null ? null : String(row.causation_id),
    commitId: row.commit_id == null ? null : String(row.commit_id),
  }
}
