import { sql } from 'drizzle-orm'
import { blob, check, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'

/**
 * The event store. `position` is the global order; (aggregate_type, aggregate_id,
 * aggregate_version) is unique, which is what makes a stale command's batch abort.
 */
export const domainEvents = sqliteTable(
  'domain_events',
  {
    position: integer('position').primaryKey(),
    id: text('id').notNull().unique(),
    aggregateType: text('aggregate_type').notNull(),
    aggregateId: text('aggregate_id').notNull(),
    aggregateVersion: integer('aggregate_version').notNull(),
    type: text('type').notNull(),
    schemaVersion: integer('schema_version').notNull(),
    data: text('data').notNull(),
    correlationId: text('correlation_id').notNull(),
    causationId: text('causation_id'),
    occurredAt: text('occurred_at').notNull(),
    /** The unit of work's commit that wrote it (links a delivery to exactly what its handling wrote). */
    commitId: text('commit_id'),
  },
  (t) => [
    uniqueIndex('domain_events_stream').on(t.aggregateType, t.aggregateId, t.aggregateVersion),
    index('domain_events_type_time').on(t.type, t.occurredAt),
    index('domain_events_time').on(t.occurredAt),
    // The dashboard follows a conversation (correlation) across contexts.
    index('domain_events_correlation').on(t.correlationId),
  ],
)

/** Integration events and after-commit jobs waiting to leave, written in the command's commit. */
export const outbox = sqliteTable(
  'outbox',
  {
    id: text('id').primaryKey(),
    kind: text('kind', { enum: ['integration', 'after-commit'] }).notNull(),
    topic: text('topic').notNull(),
    payload: text('payload').notNull(),
    status: text('status', { enum: ['pending', 'published', 'failed'] })
      .notNull()
      .default('pending'),
    attempts: integer('attempts').notNull().default(0),
    notBefore: text('not_before'),
    nextAttemptAt: text('next_attempt_at').notNull(),
    leaseUntil: text('lease_until'),
    lastError: text('last_error'),
    messageId: text('message_id'),
    createdAt: text('created_at').notNull(),
    publishedAt: text('published_at'),
    commitId: text('commit_id'),
  },
  (t) => [index('outbox_due').on(t.status, t.nextAttemptAt)],
)

/** Command idempotency: the first response to a key, replayed for later requests with it. */
export const idempotencyKeys = sqliteTable(
  'idempotency_keys',
  {
    key: text('key').primaryKey(),
    requestHash: text('request_hash').notNull(),
    statusCode: integer('status_code').notNull(),
    response: text('response').notNull(),
    createdAt: text('created_at').notNull(),
  },
  // Retention pruning reads only the expired rows, not the whole table (Turso bills rows read).
  (t) => [index('idempotency_keys_created').on(t.createdAt)],
)

/** Subscriber dedupe: one row per (CloudEvent id, subscriber), committed with the handler's writes. */
export const inbox = sqliteTable(
  'inbox',
  {
    eventId: text('event_id').notNull(),
    subscriber: text('subscriber').notNull(),
    eventType: text('event_type').notNull(),
    receivedAt: text('received_at').notNull(),
    /** The handling commit: its events, outbox rows and context rows carry the same id. */
    commitId: text('commit_id'),
  },
  (t) => [primaryKey({ columns: [t.eventId, t.subscriber] }), index('inbox_received').on(t.receivedAt)],
)

/**
 * Guard for "this UPDATE must change exactly one row" inside a batch: `INSERT INTO occ_guard
 * SELECT 1 WHERE changes() = 0` violates the CHECK when the previous statement matched nothing,
 * which aborts the whole batch (optimistic concurrency without interactive transactions).
 */
export const occGuard = sqliteTable('occ_guard', { x: integer('x').notNull() }, (t) => [check('occ_guard_never', sql`${t.x} = 0`)])

/**
 * One data key per subject (a buyer): personal data is stored only sealed with it, and deleting
 * the row erases every copy at once (crypto-shredding, see personal-data.ts).
 */
export const personalDataKeys = sqliteTable('personal_data_keys', {
  subject: text('subject').primaryKey(),
  key: blob('key', { mode: 'buffer' }).notNull(),
  createdAt: text('created_at').notNull(),
})
