import type { InStatement } from '@libsql/client'
import type { OutboxMessage, Statement } from '../../kernel/index.ts'
import { type Database, parameters } from '../store/database.ts'

/**
 * The `outbox` table's one owner: every statement that names it is here. The relay claims and
 * records rows, the command's batch enqueues them, erasure redacts them, and admin, metrics, the
 * backpressure check, the change feed, reconcile and the dashboard read them, all through this module.
 */

export const OUTBOX_STATUSES = ['pending', 'published', 'failed'] as const
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number]
export type OutboxKind = 'integration' | 'after-commit'

/** A row the relay holds (claimed, or just committed by this process). */
export interface ClaimedRow {
  readonly id: string
  readonly kind: OutboxKind
  readonly topic: string
  readonly payload: string
  readonly attempts: number
  readonly notBefore: string | null
}

/** A row as the dashboard's timeline reads it. */
export interface OutboxRow extends OutboxEntry {
  readonly seq: number
  readonly notBefore: string | null
  readonly payload: Record<string, unknown>
  readonly commitId?: string | null
}

/** A row as admin lists it. */
export interface OutboxEntry {
  readonly id: string
  readonly kind: OutboxKind
  readonly topic: string
  readonly status: OutboxStatus
  readonly attempts: number
  readonly nextAttemptAt: string
  readonly lastError: string | null
  readonly messageId: string | null
  readonly createdAt: string
  readonly publishedAt: string | null
}

/** A row as the dashboard's outbox list shows it: with the subject its payload names. */
export interface OutboxSummary extends Omit<OutboxEntry, 'messageId'> {
  readonly notBefore: string | null
  readonly subject: string | null
}

/** Rows and the oldest row's creation, per status. */
export type OutboxFigures = Record<OutboxStatus, { readonly count: number; readonly oldest: string | undefined }>

export interface PublishedRow {
  readonly id: string
  readonly messageId: string
}

export interface FailedRow {
  readonly id: string
  /** Attempts so far, this one included. */
  readonly attempts: number
  readonly nextAttemptAt: string
  readonly error: string
}

// ---------------------------------------------------------------------------------------------
// Statements for someone else's batch

const INSERT = `INSERT INTO outbox (id, kind, topic, payload, status, attempts, not_before, next_attempt_at, created_at, commit_id)
  VALUES (?, ?, ?, ?, 'pending', 0, ?, ?, ?, ?)`

/** The command's outbox rows, for its batch (constant SQL, cached plans). */
export const enqueueStatements = (messages: readonly OutboxMessage[], commitId?: string): Statement[] =>
  messages.map((m) => ({
    sql: INSERT,
    // Due at once even when delayed: QStash holds the message until `not_before`, durably.
    args: [m.id, m.kind, m.topic, JSON.stringify(m.payload), m.notBefore ?? null, m.createdAt, m.createdAt, commitId ?? null],
  }))

/**
 * Makes rows pending again, due `now`, with a fresh attempt budget and no lease (a row whose
 * lease outlived the relay that took it would otherwise wait for it to expire). The one requeue:
 * admin's manual relay takes every `failed` row, reconcile the rows it found unpublished.
 */
export function requeueStatement(now: string, rows: 'failed' | readonly string[]): Statement {
  const where = rows === 'failed' ? "status = 'failed'" : `id IN (${parameters(rows)})`
  return {
    sql: `UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = ?, lease_until = NULL WHERE ${where}`,
    args: rows === 'failed' ? [now] : [now, ...rows],
  }
}

/**
 * Statements that overwrite fields of the integration events still in the outbox (pending or
 * published) whose `data[match.field]` is `match.value`: published rows keep no personal data,
 * pending ones leave without it. The context names its contracts' fields; the toolkit knows none.
 */
export function redactOutbox(match: { field: string; value: string }, replace: Readonly<Record<string, string>>): Statement[] {
  return Object.entries(replace).map(([field, replacement]) => ({
    sql: `UPDATE outbox SET payload = json_set(payload, ?, ?)
      WHERE kind = 'integration' AND json_valid(payload) AND json_extract(payload, ?) = ? AND json_type(payload, ?) = 'text'`,
    args: [jsonPath(field), replacement, jsonPath(match.field), match.value, jsonPath(field)],
  }))
}

const jsonPath = (field: string) => {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(field)) throw new Error(`Not a plain field name: ${field}`)
  return `$.data.${field}`
}

/**
 * The change feed's markers for the outbox, as columns of its one SELECT: rows ever written
 * (MAX over the rowid), and the few rows not yet published (over the `outbox_due` index).
 */
export const OUTBOX_MARKER_COLUMNS = `(SELECT COALESCE(MAX(rowid), 0) FROM outbox) AS outbox_rows,
  (SELECT COUNT(*) FROM outbox WHERE status = 'pending') AS outbox_pending,
  (SELECT COALESCE(SUM(attempts), 0) FROM outbox WHERE status = 'pending') AS outbox_pending_attempts,
  (SELECT COUNT(*) FROM outbox WHERE status = 'failed') AS outbox_failed`

// ---------------------------------------------------------------------------------------------
// Reads and writes of its own

/** The table's reads and writes. Longer than 80 lines: one short method per statement, a list rather than a procedure. */
export function outboxStore(database: Database) {
  const { client } = database
  return {
    /**
     * Leases due pending rows until `leaseUntil`: these ids, or the oldest `limit` due rows.
     * Returned in commit order (RETURNING promises none; ordered subjects must publish in it).
     */
    async claim(now: string, leaseUntil: string, which: { ids: readonly string[] } | { limit: number }): Promise<ClaimedRow[]> {
      const { rows } = await database.write(() => client.execute(claimStatement(now, leaseUntil, which)))
      return [...rows].sort(byCommitOrder).map(toClaimedRow)
    },

    /** Records a relay round's outcomes in ONE write (one round-trip on Turso, one fsync on a file). */
    async record(now: string, published: readonly PublishedRow[], failed: readonly FailedRow[], maxAttempts: number): Promise<void> {
      const statements = [...markPublished(now, published), ...markFailed(failed, maxAttempts)]
      if (statements.length === 0) return
      await database.write(async () => {
        if (statements.length === 1) await client.execute(statements[0]!)
        else await client.batch(statements, 'write')
      })
    },

    /** Makes every `failed` row pending again (see {@link requeueStatement}); how many it did. */
    async requeueFailed(now: string): Promise<number> {
      return (await database.write(() => client.execute(requeueStatement(now, 'failed') as InStatement))).rowsAffected
    },

    /** Pending rows, counted up to `limit` (the backpressure check needs no more). */
    async countPending(limit: number): Promise<number> {
      const { rows } = await client.execute({ sql: "SELECT COUNT(*) AS n FROM (SELECT 1 FROM outbox WHERE status = 'pending' LIMIT ?)", args: [limit] })
      return Number(rows[0]?.n ?? 0)
    },

    /** Rows and the oldest row per status (every status, or these; unnamed ones read 0). */
    async figures(statuses: readonly OutboxStatus[] = OUTBOX_STATUSES): Promise<OutboxFigures> {
      const { rows } = await client.execute({
        sql: `SELECT status, COUNT(*) AS n, MIN(created_at) AS oldest FROM outbox WHERE status IN (${parameters(statuses)}) GROUP BY status`,
        args: [...statuses],
      })
      const none = { count: 0, oldest: undefined }
      const figures: OutboxFigures = { pending: none, published: none, failed: none }
      for (const r of rows) figures[String(r.status) as OutboxStatus] = { count: Number(r.n), oldest: r.oldest == null ? undefined : String(r.oldest) }
      return figures
    },

    /** Every row ever written (reconcile's report). */
    async total(): Promise<number> {
      const { rows } = await client.execute('SELECT COUNT(*) AS n FROM outbox')
      return Number(rows[0]?.n ?? 0)
    },

    /** The newest `limit` rows, of one status or all (admin). */
    async list(options: { status?: OutboxStatus; limit: number }): Promise<OutboxEntry[]> {
      const { rows } = await client.execute({
        sql: `SELECT id, kind, topic, status, attempts, next_attempt_at, last_error, message_id, created_at, published_at
          FROM outbox ${options.status ? 'WHERE status = ?' : ''} ORDER BY created_at DESC, id DESC LIMIT ?`,
        args: options.status ? [options.status, options.limit] : [options.limit],
      })
      return rows.map(toEntry)
    },

    /** Rows `failed`, or `pending` since before `staleBefore`: what reconcile calls unpublished. */
    async unpublished(staleBefore: string): Promise<{ id: string; topic: string; status: OutboxStatus }[]> {
      const { rows } = await client.execute({
        sql: `SELECT id, topic, status FROM outbox WHERE status = 'failed' OR (status = 'pending' AND created_at < ?) ORDER BY created_at`,
        args: [staleBefore],
      })
      return rows.map((r) => ({ id: String(r.id), topic: String(r.topic), status: String(r.status) as OutboxStatus }))
    },

    /** The rows of some conversations (by the correlation id in the payload) written since `since`. */
    async inConversations(correlationIds: readonly string[], since: string, limit: number): Promise<OutboxRow[]> {
      if (correlationIds.length === 0) return []
      // The time bound keeps the scan to the rows written since the chain started.
      const { rows } = await client.execute({
        sql: `SELECT rowid AS seq, id, kind, topic, status, attempts, not_before, next_attempt_at, last_error, message_id, created_at,
            published_at, payload, commit_id
          FROM outbox WHERE created_at >= ? AND json_valid(payload) AND json_extract(payload, '$.correlationId') IN (${parameters(correlationIds)})
          ORDER BY rowid LIMIT ?`,
        args: [since, ...correlationIds, limit],
      })
      return rows.map(toOutboxRow)
    },

    /** The newest rows of these statuses, newest first, with the subject their payload names. */
    async newest(statuses: readonly OutboxStatus[], limit: number): Promise<OutboxSummary[]> {
      const { rows } = await client.execute({
        sql: `SELECT id, kind, topic, status, attempts, last_error, not_before, next_attempt_at, created_at, published_at,
            CASE WHEN json_valid(payload) THEN COALESCE(json_extract(payload, '$.subject'), json_extract(payload, '$.aggregateId')) END AS subject
          FROM outbox WHERE status IN (${parameters(statuses)}) ORDER BY rowid DESC LIMIT ?`,
        args: [...statuses, limit],
      })
      return rows.map(toSummary)
    },
  }
}

export type OutboxStore = ReturnType<typeof outboxStore>

function claimStatement(now: string, leaseUntil: string, which: { ids: readonly string[] } | { limit: number }): InStatement {
  if ('ids' in which) {
    return {
      // By primary key: the `+` keeps SQLite off the outbox_due index, whose range scan over
      // every due pending row grew with the backlog (the plan it chose before).
      sql: `UPDATE outbox SET lease_until = ?
        WHERE id IN (${parameters(which.ids)}) AND +status = 'pending' AND +next_attempt_at <= ? AND (lease_until IS NULL OR lease_until <= ?)
        RETURNING id, kind, topic, payload, attempts, not_before, created_at`,
      args: [leaseUntil, ...which.ids, now, now],
    }
  }
  return {
    sql: `UPDATE outbox SET lease_until = ?
      WHERE id IN (
        SELECT id FROM outbox
        WHERE status = 'pending' AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until <= ?)
        ORDER BY created_at, id LIMIT ?)
      RETURNING id, kind, topic, payload, attempts, not_before, created_at`,
    args: [leaseUntil, now, now, which.limit],
  }
}

/** One UPDATE for every published row, joined to a VALUES list. */
function markPublished(now: string, published: readonly PublishedRow[]): InStatement[] {
  if (published.length === 0) return []
  return [
    {
      sql: `UPDATE outbox SET status = 'published', message_id = v.column2, published_at = ?, attempts = attempts + 1,
          lease_until = NULL, last_error = NULL
        FROM (VALUES ${rowsOf(published.length, 2)}) AS v WHERE outbox.id = v.column1`,
      args: [now, ...published.flatMap((row) => [row.id, row.messageId])],
    },
  ]
}

/** One UPDATE for every failed row: it backs off, or is `failed` once out of attempts. */
function markFailed(failed: readonly FailedRow[], maxAttempts: number): InStatement[] {
  if (failed.length === 0) return []
  return [
    {
      sql: `UPDATE outbox SET attempts = v.column2, next_attempt_at = v.column3, last_error = v.column4, lease_until = NULL,
          status = CASE WHEN v.column2 >= ? THEN 'failed' ELSE 'pending' END
        FROM (VALUES ${rowsOf(failed.length, 4)}) AS v WHERE outbox.id = v.column1`,
      args: [maxAttempts, ...failed.flatMap((row) => [row.id, row.attempts, row.nextAttemptAt, row.error])],
    },
  ]
}

/** `(?, ?), (?, ?)` for `rows` rows of `columns` values. */
const rowsOf = (rows: number, columns: number): string => Array.from({ length: rows }, () => `(${parameters(columns)})`).join(', ')

function byCommitOrder(a: Record<string, unknown>, b: Record<string, unknown>): number {
  const [at, bt] = [String(a.created_at), String(b.created_at)]
  if (at !== bt) return at < bt ? -1 : 1
  return String(a.id) < String(b.id) ? -1 : 1
}

const nullable = (value: unknown) => (value === null || value === undefined ? null : String(value))

function parsePayload(value: unknown): Record<string, unknown> {
  try {
    return (JSON.parse(String(value)) ?? {}) as Record<string, unknown>
  } catch {
    return {}
  }
}

const toClaimedRow = (r: Record<string, unknown>): ClaimedRow => ({
  id: String(r.id),
  kind: String(r.kind) as OutboxKind,
  topic: String(r.topic),
  payload: String(r.payload),
  attempts: Number(r.attempts),
  notBefore: nullable(r.not_before),
})

const toEntry = (r: Record<string, unknown>): OutboxEntry => ({
  id: String(r.id),
  kind: String(r.kind) as OutboxKind,
  topic: String(r.topic),
  status: String(r.status) as OutboxStatus,
  attempts: Number(r.attempts),
  nextAttemptAt: String(r.next_attempt_at),
  lastError: nullable(r.last_error),
  messageId: nullable(r.message_id),
  createdAt: String(r.created_at),
  publishedAt: nullable(r.published_at),
})

const toOutboxRow = (r: Record<string, unknown>): OutboxRow => ({
  ...toEntry(r),
  seq: Number(r.seq),
  notBefore: nullable(r.not_before),
  payload: parsePayload(r.payload),
  commitId: nullable(r.commit_id),
})

const toSummary = (r: Record<string, unknown>): OutboxSummary => {
  const { messageId: _, ...entry } = toEntry(r)
  return { ...entry, notBefore: nullable(r.not_before), subject: nullable(r.subject) }
}
