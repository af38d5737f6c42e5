import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'

/**
 * Telemetry, not state: one row per QStash delivery the service answered (subscriber CloudEvents
 * and after-commit handler jobs), written after the response status is known and outside the
 * command's commit. `id` grows with every row, so `MAX(id)` is a cheap change marker. Nothing
 * reads it to decide anything; it may be pruned at will.
 */
export const deliveryLog = sqliteTable(
  'delivery_log',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    /** `subscriber` (`/subscribers/:context`) or `handler` (`/internal/handlers/:name`). */
    kind: text('kind', { enum: ['subscriber', 'handler'] }).notNull(),
    /** The subscriber context or the after-commit handler's name. */
    target: text('target').notNull(),
    /** `Upstash-Message-Id`. */
    messageId: text('message_id'),
    /** `Upstash-Retried`: 0 on the first attempt. */
    retried: integer('retried').notNull().default(0),
    /** CloudEvent id, or the job id (its outbox row id) for handler jobs. */
    eventId: text('event_id'),
    /** CloudEvents type, or the domain event type a job carries. */
    eventType: text('event_type'),
    subject: text('subject'),
    correlationId: text('correlation_id'),
    causationId: text('causation_id'),
    /** HTTP status the service answered. */
    status: integer('status').notNull(),
    /** `processed` / `duplicate` on 2xx, the problem `code` otherwise (when the body says). */
    outcome: text('outcome'),
    durationMs: integer('duration_ms').notNull(),
    receivedAt: text('received_at').notNull(),
  },
  (t) => [index('delivery_log_event').on(t.eventId), index('delivery_log_correlation').on(t.correlationId), index('delivery_log_subject').on(t.subject)],
)
