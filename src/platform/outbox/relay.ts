import { type IntegrationEvent, jobPath, type OutboxMessage, parseJobTopic } from '../../kernel/index.ts'
import { toStructuredCloudEvent } from '../messaging/cloud-events.ts'
import type { OutboundMessage, Publisher } from '../messaging/publisher.ts'
import type { Database } from '../store/database.ts'
import { type ClaimedRow, type FailedRow, type OutboxStore, outboxStore, type PublishedRow } from './store.ts'

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

const isPublished = (outcome: Outcome): outcome is Published => 'messageId' in outcome
const isFailed = (outcome: Outcome): outcome is Failed => 'error' in outcome

/** Publishes rows and records their outcomes: the one path every strategy below ends in. */
type PublishAndRecord = (rows: readonly ClaimedRow[]) => Promise<Outcome[]>

/**
 * The transactional outbox's relay. Rows are claimed with a lease (so two relays never publish
 * one row at once), published with the row id as QStash deduplication id (so a crash between
 * publish and mark only costs a deduplicated re-publish), and marked published only with the
 * broker's message id. Failures back off per row.
 *
 * Three ways in, one way out: the immediate path (rows this process just committed, from
 * memory), the deferred path (committed ids, claimed first) and the sweep (whatever is due) all
 * hand their rows to ONE publish-and-record step.
 */
export function outboxRelay(options: RelayOptions) {
  const { clock, leaseMs = 30_000, batchSize = 50, maxAttempts = 20, baseBackoffMs = 1000 } = options
  const share = options.shareAcrossCalls ?? true
  const store = outboxStore(options.database)
  const publishAll = publishing(options, share)

  const publishAndRecord: PublishAndRecord = async (rows) => {
    if (rows.length === 0) return []
    const outcomes = await publishAll(rows)
    await record(store, outcomes, { now: clock(), maxAttempts, baseBackoffMs })
    if (outcomes.some(isPublished)) options.onDrained?.()
    return outcomes
  }
  const claim = (which: { ids: readonly string[] } | { limit: number }) => {
    const now = clock()
    return store.claim(now, addMs(now, leaseMs), which)
  }

  const immediate = committedPath(publishAndRecord, batchSize)
  const deferred = coalescingPath(async (ids) => publishAndRecord(await claim({ ids })), { share, batchSize })
  const sweep = sweeping(async () => {
    // Rows the immediate path is publishing right now are left to it: their lease (taken here)
    // is cleared when it records them. (Another process's sweep may still publish one of them at
    // the same moment: the deduplication id makes that one message.)
    const claimed = await claim({ limit: batchSize })
    return publishAndRecord(claimed.filter((row) => !immediate.inFlight.has(row.id)))
  })

  return {
    /** Claims and publishes these committed rows now (deferred mode's flush); resolves with their outcomes. */
    relay: deferred,
    /** Publishes rows this process just committed, from memory (immediate mode). */
    relayCommitted: immediate.relay,
    /** Publishes everything due: what a crash or an outage left behind. */
    sweep,
    /** Makes `failed` rows pending again (admin's manual relay). */
    requeueFailed: () => store.requeueFailed(clock()),
  }
}

export type OutboxRelay = ReturnType<typeof outboxRelay>

/** Records a batch's outcomes in one write: published rows with their message ids, failed ones with their backoff. */
async function record(store: OutboxStore, outcomes: readonly Outcome[], policy: { now: string; maxAttempts: number; baseBackoffMs: number }): Promise<void> {
  const { now, maxAttempts, baseBackoffMs } = policy
  const published: PublishedRow[] = outcomes.filter(isPublished).map(({ row, messageId }) => ({ id: row.id, messageId }))
  const failed: FailedRow[] = outcomes.filter(isFailed).map(({ row, error }) => {
    const attempts = row.attempts + 1
    return { id: row.id, attempts, nextAttemptAt: addMs(now, Math.min(300_000, baseBackoffMs * 2 ** (attempts - 1))), error }
  })
  await store.record(now, published, failed, maxAttempts)
}

/**
 * Publishing a batch: unordered rows at once; an ordered subject's rows one after another in
 * commit order, and none after one that failed (it must not be overtaken). With `share`, one
 * publish chain per ordered subject spans calls, so two rounds in this process never swap an
 * order's events.
 */
function publishing(options: RelayOptions, share: boolean): (rows: readonly ClaimedRow[]) => Promise<Outcome[]> {
  const ordered = options.ordered ?? (() => false)
  const chains = new Map<string, Promise<unknown>>()

  /** Publishes one row; never throws, so one broker error cannot hide the others' outcomes. */
  async function publishOne(row: ClaimedRow): Promise<Outcome> {
    try {
      return { row, messageId: await options.publisher.publish(messageFor(row, options, ordered)) }
    } catch (error) {
      return { row, error: describe(error) }
    }
  }

  async function publishInOrder(queue: readonly ClaimedRow[]): Promise<Outcome[]> {
    const outcomes: Outcome[] = []
    for (const row of queue) {
      const blocked = outcomes.some(isFailed)
      outcomes.push(blocked ? { row, error: 'held back: an earlier event of this subject is not published yet' } : await publishOne(row))
    }
    return outcomes
  }

  function chained(key: string, queue: readonly ClaimedRow[]): Promise<Outcome[]> {
    const previous = (share && chains.get(key)) || Promise.resolve()
    const next = previous.then(() => publishInOrder(queue))
    if (share) {
      const settled = next.catch(() => undefined)
      chains.set(key, settled)
      void settled.then(() => chains.get(key) === settled && chains.delete(key))
    }
    return next
  }

  return async (rows) => {
    const subjects = new Map<string, ClaimedRow[]>()
    const free: ClaimedRow[] = []
    for (const row of rows) {
      const key = row.kind === 'integration' && ordered(row.topic) ? subjectOf(row) : undefined
      if (key === undefined) free.push(row)
      else subjects.set(key, [...(subjects.get(key) ?? []), row])
    }
    const inOrder = [...subjects].map(([key, queue]) => chained(key, queue))
    return [...(await Promise.all(free.map(publishOne))), ...(await Promise.all(inOrder)).flat()]
  }
}

/** What the broker is handed for a row: a CloudEvent to a URL group, or a job to the handler's address. */
function messageFor(row: ClaimedRow, options: Pick<RelayOptions, 'publicUrl' | 'clock'>, ordered: (eventType: string) => boolean): OutboundMessage {
  const { publicUrl, clock } = options
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

/**
 * The immediate path, for rows this process just committed: published from the changeset in
 * memory, in batches, without claiming them first — one write (the record) per batch instead of
 * two, and no write between a commit and its publish. Nothing else in this process publishes
 * them meanwhile (`inFlight`, which the sweep skips); a crash leaves them pending for the sweep.
 */
function committedPath(publishAndRecord: PublishAndRecord, batchSize: number) {
  const inFlight = new Set<string>()
  const queue: ClaimedRow[] = []
  let publishing: Promise<void> | undefined

  async function drain(): Promise<void> {
    try {
      while (queue.length > 0) {
        const rows = queue.splice(0, batchSize)
        try {
          await publishAndRecord(rows)
        } finally {
          for (const row of rows) inFlight.delete(row.id)
        }
      }
    } finally {
      publishing = undefined
    }
  }

  function relay(messages: readonly OutboxMessage[]): Promise<void> {
    if (messages.length === 0) return publishing ?? Promise.resolve()
    for (const m of messages) {
      inFlight.add(m.id)
      queue.push({ id: m.id, kind: m.kind, topic: m.topic, payload: JSON.stringify(m.payload), attempts: 0, notBefore: m.notBefore ?? null })
    }
    // Already publishing: that loop takes these too, and its promise settles once they are recorded.
    publishing ??= drain()
    return publishing
  }

  return { relay, inFlight: inFlight as ReadonlySet<string> }
}

interface Waiting {
  readonly ids: readonly string[]
  readonly resolve: (report: RelayReport) => void
  readonly reject: (error: unknown) => void
}

/**
 * The deferred path coalesces: ids committed while a round is in flight wait for the next
 * round, which claims, publishes and records all of them together — one claim and one record
 * write per round instead of two writes per command (under load those were most of the
 * service's SQL time). An idle relay starts a round at once, so a lone command waits for nothing.
 * Without `share` (Workers) each call runs its own round.
 */
function coalescingPath(round: (ids: readonly string[]) => Promise<Outcome[]>, options: { share: boolean; batchSize: number }) {
  const waiting: Waiting[] = []
  let pumping = false

  /** One round for every caller waiting: each gets the outcomes of its own ids. */
  async function serve(callers: readonly Waiting[]): Promise<void> {
    try {
      const ids = callers.flatMap((c) => c.ids)
      const published = new Map<string, boolean>()
      for (let start = 0; start < ids.length; start += options.batchSize) {
        for (const o of await round(ids.slice(start, start + options.batchSize))) published.set(o.row.id, isPublished(o))
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

  async function pump(): Promise<void> {
    // The loop's last emptiness check and `pumping = false` run in one turn: no caller slips in between.
    try {
      while (waiting.length > 0) await serve(waiting.splice(0))
    } finally {
      pumping = false
    }
  }

  return (ids: readonly string[]): Promise<RelayReport> => {
    if (ids.length === 0) return Promise.resolve({ published: 0, failed: 0 })
    if (!options.share) return new Promise<RelayReport>((resolve, reject) => void serve([{ ids, resolve, reject }]))
    return new Promise<RelayReport>((resolve, reject) => {
      waiting.push({ ids, resolve, reject })
      if (!pumping) {
        pumping = true
        void pump()
      }
    })
  }
}

/**
 * The sweep: batch after batch of whatever is due, until a claim finds nothing of its own, or
 * stopping at the first failure (the broker is struggling: the rest waits for the next sweep).
 */
function sweeping(batch: () => Promise<Outcome[]>): () => Promise<RelayReport> {
  return async () => {
    let published = 0
    let failed = 0
    for (;;) {
      const outcomes = await batch()
      if (outcomes.length === 0) break
      const failures = outcomes.filter(isFailed).length
      published += outcomes.length - failures
      failed += failures
      if (failed > 0) break
    }
    return { published, failed }
  }
}

function subjectOf(row: ClaimedRow): string | undefined {
  const subject = (JSON.parse(row.payload) as Partial<IntegrationEvent>).subject
  return subject ? subject : undefined
}

function addMs(instant: string, ms: number): string {
  return new Date(Date.parse(instant) + ms).toISOString()
}

/** Error text for the row, without anything that looks like a credential. */
function describe(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error)
  return text.replace(/(Bearer\s+|token=|sig_)[\w.=-]+/gi, '$1***').slice(0, 500)
}
