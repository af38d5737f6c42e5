import type { InStatement } from '@libsql/client'
import { type IntegrationEvent, jobPath, type OutboxMessage, parseJobTopic } from '../../kernel/index.ts'
import { type Database, parameters } from '../store/database.ts'
import { toStructuredCloudEvent } from './cloud-events.ts'
import type { OutboundMessage, Publisher } from './publisher.ts'

export interface RelayOptions {
  readonly database: Database
  readonly publisher: Publisher
  readonly publicUrl: string
  readonly clock: () => string
  /** How long a claimed row is ours before another relay may take it. */
  readonly leaseMs?: number
  readonly batchSize?: number
  /** After this many failed publishes a row is `failed` (visible in admin, relayed by hand). */
  readonly maxAttempts?: number
  /** First retry delay; doubles per attempt, capped at 5 minutes. */
  readonly baseBackoffMs?: number
  /**
   * Event types a subscriber wants in order per subject (`Subscriber.on(…, { ordered: true })`):
   * published one subject at a time, in commit order, with QStash flow control keyed by the
   * subject at parallelism 1, so the broker delivers them one after another.
   */
  readonly ordered?: (eventType: string) => boolean
  /**
   * Share work between callers (default true): concurrent `relay` calls join one round, and an
   * ordered subject's publishes chain across calls. Off on Workers, where a promise one request
   * started must never be awaited by another (workerd cancels such a request as hung).
   */
  readonly shareAcrossCalls?: boolean
  /** Called after rows were marked published (the backpressure check counts again). */
  readonly onDrained?: () => void
}

export interface RelayReport {
  readonly published: number
  readonly failed: number
}

type Published = { readonly row: ClaimedRow; readonly messageId: string }
type Failed = { readonly row: ClaimedRow; readonly error: string }
type Outcome = Published | Failed

interface ClaimedRow {
  readonly id: string
  readonly kind: 'integration' | 'after-commit'
  readonly topic: string
  readonly payload: string
  readonly attempts: number
  readonly notBefore: string | null
}

/**
 * The transactional outbox's relay. Rows are claimed with a lease (so two relays never publish
 * one row at once), published with the row id as QStash deduplication id (so a crash between
 * publish and mark only costs a deduplicated re-publish), and marked published only with the
 * broker's message id. Failures back off per row.
 */
export function outboxRelay(options: RelayOptions) {
  const { database, publisher, publicUrl, clock, leaseMs = 30_000, batchSize = 50, maxAttempts = 20, baseBackoffMs = 1000 } = options
  const ordered = options.ordered ?? (() => false)
  const share = options.shareAcrossCalls ?? true
  /** One publish chain per ordered subject, so two relays in this process never swap an order's events. */
  const chains = new Map<string, Promise<unknown>>()

  async function claim(ids?: readonly string[]): Promise<ClaimedRow[]> {
    const now = clock()
    const { rows } = await database.write(() =>
      database.client.execute(
        ids
          ? {
              // By primary key: the `+` keeps SQLite off the outbox_due index, whose range scan over
              // every due pending row grew with the backlog (the plan it chose before).
              sql: `UPDATE outbox SET lease_until = ?
                WHERE id IN (${parameters(ids)}) AND +status = 'pending' AND +next_attempt_at <= ? AND (lease_until IS NULL OR lease_until <= ?)
                RETURNING id, kind, topic, payload, attempts, not_before, created_at`,
              args: [addMs(now, leaseMs), ...ids, now, now],
            }
          : {
              sql: `UPDATE outbox SET lease_until = ?
                WHERE id IN (
                  SELECT id FROM outbox
                  WHERE status = 'pending' AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until <= ?)
                  ORDER BY created_at, id LIMIT ?)
                RETURNING id, kind, topic, payload, attempts, not_before, created_at`,
              args: [addMs(now, leaseMs), now, now, batchSize],
            },
      ),
    )
    // RETURNING promises no order; publishing (ordered subjects above all) goes in commit order.
    const inCommitOrder = [...rows].sort((a, b) =>
      String(a.created_at) === String(b.created_at) ? (String(a.id) < String(b.id) ? -1 : 1) : String(a.created_at) < String(b.created_at) ? -1 : 1,
    )
    return inCommitOrder.map((r) => ({
      id: String(r.id),
      kind: String(r.kind) as ClaimedRow['kind'],
      topic: String(r.topic),
      payload: String(r.payload),
      attempts: Number(r.attempts),
      notBefore: r.not_before === null ? null : String(r.not_before),
    }))
  }

  function toMessage(row: ClaimedRow): OutboundMessage {
    const notBefore = row.notBefore && Date.parse(row.notBefore) > Date.parse(clock()) ? Math.ceil(Date.parse(row.notBefore) / 1000) : undefined
    const timing = notBefore === undefined ? {} : { notBefore }
    if (row.kind === 'integration') {
      const event = JSON.parse(row.payload) as IntegrationEvent
      return {
        destination: { urlGroup: row.topic },
        body: toStructuredCloudEvent(event, publicUrl),
        // Flow-control keys take letters, digits and `-_.`: a subject with anything else is mapped onto them.
        ...(ordered(row.topic) && event.subject ? { orderKey: event.subject.replace(/[^\w.-]/g, '_') } : {}),
        contentType: 'application/cloudevents+json',
        deduplicationId: row.id,
        ...timing,
      }
    }
    const handler = parseJobTopic(row.topic) ?? row.topic
    return {
      destination: { url: `${publicUrl}${jobPath(handler)}` },
      body: JSON.stringify({ jobId: row.id, handler, event: JSON.parse(row.payload) }),
      contentType: 'application/json',
      deduplicationId: row.id,
      ...timing,
    }
  }

  /** Publishes one row; never throws, so one broker error cannot hide the others' outcomes. */
  async function publishOne(row: ClaimedRow): Promise<Outcome> {
    try {
      return { row, messageId: await publisher.publish(toMessage(row)) }
    } catch (error) {
      return { row, error: describe(error) }
    }
  }

  /**
   * Records a claimed batch's outcomes in ONE write: at most one UPDATE for the published rows and
   * one for the failed ones, each joined to a VALUES list. On Turso that is one round-trip after
   * the publishes instead of one per row; on the embedded file, one fsync.
   */
  async function record(outcomes: readonly Outcome[]): Promise<void> {
    const now = clock()
    const statements: InStatement[] = []
    const published = outcomes.filter((o): o is Published => 'messageId' in o)
    const failed = outcomes.filter((o): o is Failed => 'error' in o)
    if (published.length > 0) {
      statements.push({
        sql: `UPDATE outbox SET status = 'published', message_id = v.column2, published_at = ?, attempts = attempts + 1,
            lease_until = NULL, last_error = NULL
          FROM (VALUES ${rowsOf(published.length, 2)}) AS v WHERE outbox.id = v.column1`,
        args: [now, ...published.flatMap((o) => [o.row.id, o.messageId])],
      })
    }
    if (failed.length > 0) {
      statements.push({
        sql: `UPDATE outbox SET attempts = v.column2, next_attempt_at = v.column3, last_error = v.column4, lease_until = NULL,
            status = CASE WHEN v.column2 >= ? THEN 'failed' ELSE 'pending' END
          FROM (VALUES ${rowsOf(failed.length, 4)}) AS v WHERE outbox.id = v.column1`,
        args: [
          maxAttempts,
          ...failed.flatMap(({ row, error }) => {
            const attempts = row.attempts + 1
            return [row.id, attempts, addMs(now, Math.min(300_000, baseBackoffMs * 2 ** (attempts - 1))), error]
          }),
        ],
      })
    }
    await database.write(async () => {
      if (statements.length === 1) await database.client.execute(statements[0]!)
      else await database.client.batch(statements, 'write')
    })
  }

  /**
   * Publishes a claimed batch: unordered rows at once; an ordered subject's rows one after another
   * in commit order, and none after one that failed (it must not be overtaken).
   */
  async function publishAll(rows: readonly ClaimedRow[]): Promise<Outcome[]> {
    const subjects = new Map<string, ClaimedRow[]>()
    const free: ClaimedRow[] = []
    for (const row of rows) {
      const key = row.kind === 'integration' && ordered(row.topic) ? subjectOf(row) : undefined
      if (key === undefined) free.push(row)
      else subjects.set(key, [...(subjects.get(key) ?? []), row])
    }
    const inOrder = [...subjects].map(([key, queue]) => {
      const previous = (share && chains.get(key)) || Promise.resolve()
      const next = previous.then(async () => {
        const outcomes: Outcome[] = []
        for (const row of queue) {
          const blocked = outcomes.some((o) => 'error' in o)
          outcomes.push(blocked ? { row, error: 'held back: an earlier event of this subject is not published yet' } : await publishOne(row))
        }
        return outcomes
      })
      const settled = next.catch(() => undefined)
      if (share) {
        chains.set(key, settled)
        void settled.then(() => chains.get(key) === settled && chains.delete(key))
      }
      return next
    })
    return [...(await Promise.all(free.map(publishOne))), ...(await Promise.all(inOrder)).flat()]
  }

  /**
   * A sweep's batch. Rows this process's committed path is publishing right now are left to it:
   * their lease (taken here) is cleared when that path records them. (Another process's sweep may
   * still publish one of them at the same moment: the deduplication id makes that one message.)
   */
  async function sweepRound(): Promise<Outcome[]> {
    const rows = await claim()
    if (rows.length === 0) return []
    const mine = rows.filter((row) => !inFlight.has(row.id))
    if (mine.length === 0) return []
    const outcomes = await publishAll(mine)
    await record(outcomes)
    if (outcomes.some((o) => 'messageId' in o)) options.onDrained?.()
    return outcomes
  }

  /** Claims, publishes and records one batch of rows; the outcomes by row id. */
  async function round(ids?: readonly string[]): Promise<Outcome[]> {
    const rows = await claim(ids)
    if (rows.length === 0) return []
    const outcomes = await publishAll(rows)
    await record(outcomes)
    if (outcomes.some((o) => 'messageId' in o)) options.onDrained?.()
    return outcomes
  }

  async function sweep(): Promise<RelayReport> {
    let published = 0
    let failed = 0
    for (let outcomes = await sweepRound(); outcomes.length > 0; outcomes = await sweepRound()) {
      const failures = outcomes.filter((o) => 'error' in o).length
      published += outcomes.length - failures
      failed += failures
      if (failed > 0) break // the broker is struggling: leave the rest to the next sweep
    }
    return { published, failed }
  }

  /**
   * The immediate path coalesces: ids committed while a round is in flight wait for the next
   * round, which claims, publishes and records all of them together — one claim and one record
   * write per round instead of two writes per command (under load those were most of the
   * service's SQL time). An idle relay starts a round at once, so a lone command waits for nothing.
   */
  const waiting: { ids: readonly string[]; resolve: (report: RelayReport) => void; reject: (error: unknown) => void }[] = []
  let pumping = false

  async function pump(): Promise<void> {
    // The loop's last emptiness check and `pumping = false` run in one turn: no caller slips in between.
    try {
      while (waiting.length > 0) await serve(waiting.splice(0))
    } finally {
      pumping = false
    }
  }

  /** One round for every caller waiting: each gets the outcomes of its own ids. */
  async function serve(callers: typeof waiting): Promise<void> {
    try {
      const ids = callers.flatMap((c) => c.ids)
      const published = new Map<string, boolean>()
      for (let start = 0; start < ids.length; start += batchSize) {
        for (const o of await round(ids.slice(start, start + batchSize))) published.set(o.row.id, 'messageId' in o)
      }
      for (const c of callers) {
        const mine = c.ids.filter((id) => published.has(id))
        const ok = mine.filter((id) => published.get(id)).length
        c.resolve({ published: ok, failed: mine.length - ok })
      }
    } catch (error) {
      for (const c of callers) c.reject(error)
    }
  }

  /** Ids the committed path holds in memory and is publishing (the sweep leaves them alone). */
  const inFlight = new Set<string>()
  const committedQueue: ClaimedRow[] = []
  let publishingCommitted: Promise<void> | undefined

  /**
   * The low-latency path for rows this process just committed: published from the changeset in
   * memory, in rounds like {@link relay}, but without claiming them first — one write (the record)
   * per round instead of two, and no write between a commit and its publish. Nothing else in this
   * process publishes them meanwhile (`inFlight`); a crash leaves them pending for the sweep.
   */
  function relayCommitted(messages: readonly OutboxMessage[]): Promise<void> {
    if (messages.length === 0) return publishingCommitted ?? Promise.resolve()
    for (const m of messages) {
      inFlight.add(m.id)
      committedQueue.push({ id: m.id, kind: m.kind, topic: m.topic, payload: JSON.stringify(m.payload), attempts: 0, notBefore: m.notBefore ?? null })
    }
    // Already publishing: that loop takes these too, and its promise settles once they are recorded.
    if (publishingCommitted) return publishingCommitted
    publishingCommitted = (async () => {
      try {
        while (committedQueue.length > 0) {
          const rows = committedQueue.splice(0, batchSize)
          try {
            const outcomes = await publishAll(rows)
            await record(outcomes)
            if (outcomes.some((o) => 'messageId' in o)) options.onDrained?.()
          } finally {
            for (const row of rows) inFlight.delete(row.id)
          }
        }
      } finally {
        publishingCommitted = undefined
      }
    })()
    return publishingCommitted
  }

  function relay(ids: readonly string[]): Promise<RelayReport> {
    if (ids.length === 0) return Promise.resolve({ published: 0, failed: 0 })
    if (!share) return new Promise<RelayReport>((resolve, reject) => void serve([{ ids, resolve, reject }]))
    return new Promise<RelayReport>((resolve, reject) => {
      waiting.push({ ids, resolve, reject })
      if (!pumping) {
        pumping = true
        void pump()
      }
    })
  }

  return {
    /** Claims and publishes these committed rows now (deferred mode's flush); resolves with their outcomes. */
    relay,
    /** Publishes rows this process just committed, from memory (immediate mode). */
    relayCommitted,
    /** Publishes everything due: what a crash or an outage left behind. */
    sweep,
    /** Makes `failed` rows pending again (admin's manual relay). */
    async requeueFailed(): Promise<number> {
      const result = await database.write(() =>
        database.client.execute({
          sql: "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = ? WHERE status = 'failed'",
          args: [clock()],
        }),
      )
      return result.rowsAffected
    },
  }
}

export type OutboxRelay = ReturnType<typeof outboxRelay>

function subjectOf(row: ClaimedRow): string | undefined {
  const subject = (JSON.parse(row.payload) as Partial<IntegrationEvent>).subject
  return subject ? subject : undefined
}

/** `(?, ?), (?, ?)` for `rows` rows of `columns` values. */
const rowsOf = (rows: number, columns: number): string => Array.from({ length: rows }, () => `(${parameters(columns)})`).join(', ')

function addMs(instant: string, ms: number): string {
  return new Date(Date.parse(instant) + ms).toISOString()
}

/** Error text for the row, without anything that looks like a credential. */
function describe(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error)
  return text.replace(/(Bearer\s+|token=|sig_)[\w.=-]+/gi, '$1***').slice(0, 500)
}
