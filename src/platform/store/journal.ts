import type { DomainEvent, Journal, OutboxMessage, Statement } from '../../kernel/index.ts'

const INSERT_EVENT = `INSERT INTO domain_events
  (id, aggregate_type, aggregate_id, aggregate_version, type, schema_version, data, correlation_id, causation_id, occurred_at, commit_id)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

const INSERT_OUTBOX = `INSERT INTO outbox (id, kind, topic, payload, status, attempts, not_before, next_attempt_at, created_at, commit_id)
  VALUES (?, ?, ?, ?, 'pending', 0, ?, ?, ?, ?)`

/** The event store and outbox as statements for the command's batch (constant SQL, cached plans). */
export const sqlJournal: Journal = {
  appendEvents: (events: readonly DomainEvent[], commitId?: string): Statement[] =>
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
    })),
  enqueue: (messages: readonly OutboxMessage[], commitId?: string): Statement[] =>
    messages.map((m) => ({
      sql: INSERT_OUTBOX,
      // Due at once even when delayed: QStash holds the message until `not_before`, durably.
      args: [m.id, m.kind, m.topic, JSON.stringify(m.payload), m.notBefore ?? null, m.createdAt, m.createdAt, commitId ?? null],
    })),
}
