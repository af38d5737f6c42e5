import type { InValue } from '@libsql/client'
import type { Database } from './database.ts'

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
export const STORED_EVENT_COLUMNS = `position, id, type, aggregate_type, aggregate_id, aggregate_version, schema_version, data,
  occurred_at, correlation_id, causation_id, commit_id`

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
