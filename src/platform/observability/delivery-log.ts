import type { Context, MiddlewareHandler } from 'hono'
import { createMiddleware } from 'hono/factory'
import { parseCloudEvent } from '../messaging/cloud-events.ts'
import { type Database, parameters } from '../store/database.ts'

export type DeliveryKind = 'subscriber' | 'handler'

/** One delivery the service answered: a row of `delivery_log`. */
export interface DeliveryRecord {
  readonly kind: DeliveryKind
  /** Subscriber context or after-commit handler name. */
  readonly target: string
  readonly messageId: string | null
  readonly retried: number
  readonly eventId: string | null
  readonly eventType: string | null
  readonly subject: string | null
  readonly correlationId: string | null
  readonly causationId: string | null
  readonly status: number
  readonly outcome: string | null
  readonly durationMs: number
  readonly receivedAt: string
}

export interface LoggedDelivery extends DeliveryRecord {
  readonly id: number
}

/** What a delivery is about, read from its headers and raw body; every field may be missing. */
export type DeliveryIdentity = Pick<DeliveryRecord, 'eventId' | 'eventType' | 'subject' | 'correlationId' | 'causationId'>

const INSERT = `INSERT INTO delivery_log
  (kind, target, message_id, retried, event_id, event_type, subject, correlation_id, causation_id, status, outcome, duration_ms, received_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

/** The change feed's marker for the delivery log, as a column of its one SELECT: the highest row id. */
export const DELIVERIES_MARKER_COLUMN = '(SELECT COALESCE(MAX(id), 0) FROM delivery_log) AS deliveries'

const insertArgs = (r: DeliveryRecord) => [
  r.kind,
  r.target,
  r.messageId,
  r.retried,
  r.eventId,
  r.eventType,
  r.subject,
  r.correlationId,
  r.causationId,
  r.status,
  r.outcome,
  r.durationMs,
  r.receivedAt,
]

const COLUMNS = `id, kind, target, message_id, retried, event_id, event_type, subject, correlation_id, causation_id, status, outcome,
  duration_ms, received_at`

/** Failed deliveries about one subject: attempts that failed ever, and deliveries none of whose attempts succeeded. */
export interface SubjectFailures {
  readonly failedAttempts: number
  readonly failingDeliveries: number
}

/**
 * The delivery log (the `delivery_log` table's one owner): telemetry about QStash deliveries,
 * kept apart from the commands they run.
 * A row is written after the response status is known, in its own statement (never in the
 * command's batch), and a failure to write it is logged and swallowed: it never changes what
 * QStash is told.
 */
export function deliveryLog(database: Database, options: { clock?: () => string } = {}) {
  const clock = options.clock ?? (() => new Date().toISOString())

  async function append(record: DeliveryRecord): Promise<void> {
    // Through the committer: on an embedded file the row shares the group commit (one fsync)
    // with the deliveries' own commands instead of costing a write of its own.
    await database.committer.commit([{ sql: INSERT, args: insertArgs(record) }])
  }

  return {
    append,
    /**
     * Middleware for a delivery route, mounted AFTER signature verification (so unsigned requests
     * write nothing). `kind` says how to read the body: a CloudEvent, or an after-commit job.
     */
    recorder: (kind: DeliveryKind) => deliveryRecorder(kind, append, clock),

    /** Deliveries of a conversation (by correlation id) or of given events / jobs. */
    async find(query: { correlationIds?: readonly string[]; eventIds?: readonly string[]; limit?: number }): Promise<LoggedDelivery[]> {
      const correlationIds = query.correlationIds ?? []
      const eventIds = query.eventIds ?? []
      const where: string[] = []
      if (correlationIds.length > 0) where.push(`correlation_id IN (${parameters(correlationIds)})`)
      if (eventIds.length > 0) where.push(`event_id IN (${parameters(eventIds)})`)
      if (where.length === 0) return []
      const { rows } = await database.client.execute({
        sql: `SELECT ${COLUMNS} FROM delivery_log WHERE ${where.join(' OR ')} ORDER BY id LIMIT ?`,
        args: [...correlationIds, ...eventIds, query.limit ?? 2000],
      })
      return rows.map(toLogged)
    },

    /**
     * The conversations deliveries about `subject` (the CloudEvents `subject`) took part in, with
     * the first delivery's time: how a service that holds no stream of a subject finds its chains.
     */
    async conversationsAbout(subject: string): Promise<{ correlationId: string; since: string }[]> {
      const { rows } = await database.client.execute({
        sql: `SELECT correlation_id, MIN(received_at) AS since FROM delivery_log
          WHERE subject = ? AND correlation_id IS NOT NULL GROUP BY correlation_id LIMIT 50`,
        args: [subject],
      })
      return rows.map((r) => ({ correlationId: String(r.correlation_id), since: String(r.since) }))
    },

    /** The latest deliveries, newest first. */
    async recent(limit = 50): Promise<LoggedDelivery[]> {
      const { rows } = await database.client.execute({ sql: `SELECT ${COLUMNS} FROM delivery_log ORDER BY id DESC LIMIT ?`, args: [limit] })
      return rows.map(toLogged)
    },

    /** Failures per subject (subjects without any are left out). */
    async failuresOf(subjects: readonly string[]): Promise<Map<string, SubjectFailures>> {
      if (subjects.length === 0) return new Map()
      const { rows } = await database.client.execute({
        sql: `SELECT s.value AS subject,
            (SELECT COUNT(*) FROM delivery_log d WHERE d.subject = s.value AND d.status >= 300) AS failed_attempts,
            (SELECT COUNT(DISTINCT d.event_id || ' ' || d.target) FROM delivery_log d WHERE d.subject = s.value AND d.status >= 300
              AND NOT EXISTS (SELECT 1 FROM delivery_log x WHERE x.event_id = d.event_id AND x.target = d.target AND x.status < 300)
            ) AS failing_deliveries
          FROM json_each(json_array(${parameters(subjects)})) s`,
        args: [...subjects],
      })
      return new Map(
        rows.map((r) => [String(r.subject), { failedAttempts: Number(r.failed_attempts ?? 0), failingDeliveries: Number(r.failing_deliveries ?? 0) }]),
      )
    },

    /** Deletes rows received before `instant` (ISO-8601); the log is telemetry and may be pruned. */
    async pruneBefore(instant: string): Promise<number> {
      const result = await database.write(() => database.client.execute({ sql: 'DELETE FROM delivery_log WHERE received_at < ?', args: [instant] }))
      return result.rowsAffected
    },
  }
}

export type DeliveryLog = ReturnType<typeof deliveryLog>

/**
 * Reads what a delivery is about. Subscriber deliveries are CloudEvents (structured or binary);
 * handler deliveries are `{ jobId, handler, event }` jobs from the outbox. Never throws: a body
 * that cannot be read is still a delivery worth recording.
 */
export function identify(kind: DeliveryKind, headers: Record<string, string>, body: string): DeliveryIdentity {
  const none: DeliveryIdentity = { eventId: null, eventType: null, subject: null, correlationId: null, causationId: null }
  if (kind === 'handler') {
    const job = parseJson(body) as { jobId?: unknown; event?: Record<string, unknown> } | undefined
    const event = job?.event
    return {
      eventId: text(job?.jobId),
      eventType: text(event?.type),
      subject: text(event?.aggregateId),
      correlationId: text(event?.correlationId),
      causationId: text(event?.id),
    }
  }
  try {
    const event = parseCloudEvent(headers, body) as unknown as Record<string, unknown>
    return {
      eventId: text(event.id),
      eventType: text(event.type),
      subject: text(event.subject),
      correlationId: text(event.correlationid) ?? text(event.id),
      causationId: text(event.causationid),
    }
  } catch {
    // Not a valid CloudEvent (it will be refused): keep whatever identity it claims.
    const loose = parseJson(body) as Record<string, unknown> | undefined
    if (!loose || typeof loose !== 'object') return none
    return {
      eventId: text(loose.id),
      eventType: text(loose.type),
      subject: text(loose.subject),
      correlationId: text(loose.correlationid),
      causationId: text(loose.causationid),
    }
  }
}

/** The middleware that appends a row per answered delivery (see `deliveryLog().recorder`). */
function deliveryRecorder(kind: DeliveryKind, append: (record: DeliveryRecord) => Promise<void>, clock: () => string): MiddlewareHandler {
  return createMiddleware(async function recordDelivery(c, next) {
    const receivedAt = clock()
    const started = performance.now()
    let failure: unknown
    let failed = false
    try {
      await next()
    } catch (error) {
      failed = true
      failure = error
    }
    const durationMs = Math.max(0, Math.round(performance.now() - started))
    const status = failed ? 500 : c.res.status
    const write = (async () => {
      try {
        await append({
          kind,
          target: (kind === 'subscriber' ? c.req.param('context') : c.req.param('name')) ?? '',
          messageId: c.req.header('Upstash-Message-Id') ?? null,
          retried: retriedHeader(c.req.header('Upstash-Retried')),
          ...identify(kind, c.req.header(), await c.req.text()),
          status,
          outcome: failed ? null : await outcomeOf(c.res),
          durationMs,
          receivedAt,
        })
      } catch (error) {
        console.warn('[herald] could not record a delivery in delivery_log (the delivery itself is unaffected):', (error as Error).message)
      }
    })()
    // Workers: after the response, inside waitUntil. Elsewhere: before it, so the row exists by
    // the time QStash has its answer (and it costs one small insert).
    if (!deferTo(c, write)) await write
    if (failed) throw failure
  })
}

function retriedHeader(value: string | undefined): number {
  const n = Number(value ?? 0)
  return Number.isInteger(n) && n >= 0 ? n : 0
}

/** `processed` / `duplicate` from a 2xx body, the problem `code` from an error body. */
async function outcomeOf(response: Response): Promise<string | null> {
  try {
    if (!/json/i.test(response.headers.get('Content-Type') ?? '')) return null
    const body = (await response.clone().json()) as { status?: unknown; code?: unknown }
    return text(response.ok ? body.status : body.code)
  } catch {
    return null
  }
}

function deferTo(c: Context, work: Promise<void>): boolean {
  let ctx: { waitUntil(promise: Promise<unknown>): void } | undefined
  try {
    ctx = c.executionCtx
  } catch {
    return false // no execution context: not on Workers
  }
  if (typeof ctx?.waitUntil !== 'function') return false
  ctx.waitUntil(work)
  return true
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body)
  } catch {
    return undefined
  }
}

function text(value: unknown): string | null {
  if (typeof value === 'string' && value.length > 0) return value.slice(0, 512)
  if (typeof value === 'number') return String(value)
  return null
}

function toLogged(row: Record<string, unknown>): LoggedDelivery {
  const nullable = (value: unknown) => (value === null || value === undefined ? null : String(value))
  return {
    id: Number(row.id),
    kind: String(row.kind) as DeliveryKind,
    target: String(row.target),
    messageId: nullable(row.message_id),
    retried: Number(row.retried),
    eventId: nullable(row.event_id),
    eventType: nullable(row.event_type),
    subject: nullable(row.subject),
    correlationId: nullable(row.correlation_id),
    causationId: nullable(row.causation_id),
    status: Number(row.status),
    outcome: nullable(row.outcome),
    durationMs: Number(row.duration_ms),
    receivedAt: String(row.received_at),
  }
}
