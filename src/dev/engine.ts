/**
 * The broker's core: accepts messages, runs attempts, applies their outcomes, and owns every
 * state change. Each change is committed to the {@link Store} (inside its write lane) BEFORE the
 * in-memory view and the scheduler see it, so memory never claims more than the file holds and a
 * restart rebuilds exactly the acknowledged state.
 */
import { callbackEnvelope, callbackMessage } from './callbacks.ts'
import { type Clock, systemClock } from './clock.ts'
import { type AttemptOutcome, attemptDelivery } from './delivery.ts'
import { DEFAULT_LOG_RETENTION, type EventRecord, eventRecord } from './events.ts'
import type { FlowControlInfo } from './flow-control.ts'
import { type Bytes, type DlqRecord, type Endpoint, HttpError, type MessageRecord, newId, type QueueRecord } from './model.ts'
import type { Destination, PublishOptions } from './model.ts'
import { retryDelayMs } from './retry-delay.ts'
import { Scheduler } from './scheduler.ts'
import type { Signer } from './signing.ts'
import { type DlqFilter, type Store, sql } from './store.ts'
import type { InStatement } from '@libsql/client'

export interface EngineOptions {
  store: Store
  sign: Signer
  /** Multiplies every computed delay (Upstash-Delay, backoff, retry-delay) so tests run fast. */
  retryDelayScale: number
  concurrency: number
  defaultTimeoutMs: number
  /** Log entries kept (newest); default 10,000 as QStash. */
  logRetention?: number
  clock?: Clock
  log?: (line: string) => void
}

export interface PublishItem {
  destination: Destination
  queueName?: string
  options: PublishOptions
  body: Bytes
  callerIp?: string
  /** Set when a schedule publishes the item. */
  scheduleId?: string
  /** Set when the request asked for deduplication (explicit id or content hash). */
  dedupKey?: string
}

export interface PublishResult {
  messageId: string
  url: string
  deduplicated?: boolean
}

/** A URL destination yields one result, a URL group one per endpoint (QStash's shapes). */
export type ItemResult = PublishResult | PublishResult[]

type Settled = Exclude<AttemptOutcome, { kind: 'aborted' }>

/** Pause between retries of a failed commit: the file may be briefly unavailable. */
const STORE_RETRY_MS = 1000

export class Engine {
  private readonly pending = new Map<string, MessageRecord>()
  private readonly queues = new Map<string, QueueRecord>()
  private readonly running = new Set<Promise<void>>()
  private readonly stopController = new AbortController()
  private readonly scheduler: Scheduler
  private readonly store: Store
  readonly clock: Clock
  private readonly now: () => number
  private readonly log: (line: string) => void
  private seq = 0
  /** Attempt outcomes waiting for their group commit (see settle). */
  private readonly settleBuffer: { message: MessageRecord; outcome: Settled; resolve: () => void; reject: (error: unknown) => void }[] = []
  /** Attempts started whose ACTIVE log entry is not committed yet (see recordActive). */
  private readonly activeBuffer: { message: MessageRecord; at: number }[] = []

  private constructor(private readonly options: EngineOptions) {
    this.store = options.store
    this.clock = options.clock ?? systemClock
    this.now = () => this.clock.now()
    this.log = options.log ?? ((line) => console.error(line))
    this.scheduler = new Scheduler(options.concurrency, (message) => this.track(this.run(message)), this.clock)
  }

  /** Loads the persisted queues and pending messages (in-flight ones included) and starts delivering. */
  static async start(options: EngineOptions): Promise<Engine> {
    const engine = new Engine(options)
    for (const queue of await options.store.loadQueues()) {
      engine.queues.set(queue.name, queue)
      engine.scheduler.configureQueue(queue.name, queue)
    }
    for (const key of await options.store.loadPausedFlowKeys()) engine.scheduler.flows.setPaused(key, true)
    for (const message of await options.store.loadMessages()) {
      engine.seq = Math.max(engine.seq, message.seq)
      engine.pending.set(message.id, message)
      engine.scheduler.add(message)
    }
    return engine
  }

  async stop(): Promise<void> {
    this.scheduler.stop()
    // In-flight attempts are cut short and NOT recorded: their messages stay pending and are
    // attempted again on restart (at-least-once, like QStash after a crash).
    this.stopController.abort()
    await Promise.allSettled([...this.running])
    await this.store.close()
  }

  // ---- publishing ----

  publish(items: PublishItem[]): Promise<ItemResult[]> {
    return this.store.exclusive(() => this.publishLocked(items, this.now(), []))
  }

  /**
   * Runs `prepare` inside the write lane and publishes what it returns together with its extra
   * statements, in one commit (a schedule firing and its next due time). `undefined`: nothing.
   */
  publishWith(prepare: (now: number) => { items: PublishItem[]; statements: InStatement[] } | undefined): Promise<ItemResult[] | undefined> {
    return this.store.exclusive(async () => {
      const now = this.now()
      const prepared = prepare(now)
      return prepared && this.publishLocked(prepared.items, now, prepared.statements)
    })
  }

  /** Commits the statements alone, in the write lane. */
  commit(statements: InStatement[]): Promise<void> {
    return this.store.exclusive(() => this.store.commit(statements))
  }

  private async publishLocked(items: PublishItem[], now: number, extra: InStatement[]): Promise<ItemResult[]> {
    const statements: InStatement[] = [...extra]
    const created: MessageRecord[] = []
    const seenInBatch = new Map<string, ItemResult>()
    const results: ItemResult[] = []
    for (const item of items) {
      if (item.dedupKey !== undefined) {
        const prior = seenInBatch.get(item.dedupKey) ?? ((await this.store.getDedup(item.dedupKey, now)) as ItemResult)
        if (prior !== undefined) {
          results.push(markDeduplicated(prior))
          continue
        }
      }
      const messages = (await this.targets(item.destination)).map((target) => this.newMessage(item, target, now))
      const result: ItemResult =
        item.destination.kind === 'url'
          ? { messageId: (messages[0] as MessageRecord).id, url: (messages[0] as MessageRecord).url }
          : messages.map((message) => ({ messageId: message.id, url: message.url }))
      statements.push(...messages.map(sql.insertMessage), ...this.logStatements(messages, 'CREATED', now))
      if (item.dedupKey !== undefined) {
        statements.push(sql.insertDedup(item.dedupKey, result, now))
        seenInBatch.set(item.dedupKey, result)
      }
      created.push(...messages)
      results.push(result)
    }
    const newQueues = this.implicitQueues(created, now)
    await this.store.commit([...statements, ...newQueues.map(sql.upsertQueue)])
    this.addQueues(newQueues)
    for (const message of created) this.accept(message)
    return results
  }

  private async targets(destination: Destination): Promise<Endpoint[]> {
    if (destination.kind === 'url') return [{ url: destination.url }]
    const group = await this.store.getUrlGroup(destination.name)
    if (!group) throw new HttpError(404, `topic ${destination.name} not found`)
    if (group.endpoints.length === 0) throw new HttpError(400, `topic ${destination.name} has no endpoints`)
    return group.endpoints
  }

  private newMessage(item: PublishItem, target: Endpoint, now: number): MessageRecord {
    const { options } = item
    // Whole ms, rounded up: a scaled delay must never come due early.
    const due = Math.ceil(
      options.notBefore !== undefined
        ? // An absolute time is not scaled: "not before" must stay true.
          Math.max(now, options.notBefore)
        : now + (options.delayMs ?? 0) * this.options.retryDelayScale,
    )
    return {
      id: newId('msg'),
      seq: ++this.seq,
      kind: 'message',
      url: target.url,
      method: options.method,
      headers: options.headers,
      body: item.body,
      topicName: item.destination.kind === 'group' ? item.destination.name : undefined,
      endpointName: target.name,
      queueName: item.queueName,
      maxRetries: options.maxRetries,
      retryDelay: options.retryDelay,
      timeoutMs: options.timeoutMs,
      callback: options.callback,
      failureCallback: options.failureCallback,
      label: options.label,
      callerIp: item.callerIp,
      scheduleId: item.scheduleId,
      flowControl: options.flowControl,
      redact: options.redact,
      createdAt: now,
      notBefore: due,
      retried: 0,
      nextAt: due,
    }
  }

  private accept(message: MessageRecord): void {
    this.pending.set(message.id, message)
    this.scheduler.add(message)
  }

  // ---- delivery ----

  private track(task: Promise<void>): void {
    this.running.add(task)
    void task.finally(() => this.running.delete(task))
  }

  private async run(message: MessageRecord): Promise<void> {
    this.recordActive(message)
    let outcome: AttemptOutcome
    try {
      outcome = await attemptDelivery(message, {
        sign: this.options.sign,
        defaultTimeoutMs: this.options.defaultTimeoutMs,
        stopSignal: this.stopController.signal,
      })
    } catch (error) {
      outcome = { kind: 'failed', error: String(error), nonRetryable: false }
    }
    if (outcome.kind === 'aborted') return
    try {
      await this.settle(message, outcome)
    } catch (error) {
      // The outcome could not be recorded: attempt again later rather than lose the message.
      this.log(`[qstash-dev] could not record the outcome of ${message.id}: ${String(error)}`)
      if (this.pending.get(message.id) === message && !this.stopController.signal.aborted) {
        message.nextAt = this.now() + STORE_RETRY_MS
        this.scheduler.reschedule(message)
      }
    } finally {
      this.scheduler.release(message)
    }
  }

  /**
   * Logs ACTIVE without holding the attempt back. The write is queued on the lane before the
   * attempt starts, so it commits before the attempt's outcome (the lane is FIFO); attempts
   * started until it runs join it, so a burst of dispatches costs one commit, not one each.
   */
  private recordActive(message: MessageRecord): void {
    this.activeBuffer.push({ message, at: this.now() })
    if (this.activeBuffer.length > 1) return // a flush is already queued and will take it
    const write = this.store.exclusive(async () => {
      const started = this.activeBuffer.splice(0)
      const statements = started
        .filter(({ message }) => this.pending.get(message.id) === message) // not cancelled meanwhile
        .map(({ message, at }) => sql.insertEvent(eventRecord(message, 'ACTIVE', at)))
      if (statements.length > 0) await this.store.commit([...statements, sql.pruneEvents(this.logRetention)])
    })
    this.track(write.catch((error) => this.log(`[qstash-dev] could not log ACTIVE attempts: ${String(error)}`)))
  }

  /** Log entries for `messages` plus the retention cut, for one commit. */
  private logStatements(messages: MessageRecord[], state: EventRecord['state'], now: number): InStatement[] {
    if (messages.length === 0) return []
    return [...messages.map((message) => sql.insertEvent(eventRecord(message, state, now))), sql.pruneEvents(this.logRetention)]
  }

  private get logRetention(): number {
    return this.options.logRetention ?? DEFAULT_LOG_RETENTION
  }

  /**
   * Records one attempt's outcome. Outcomes that arrive while the lane is busy are committed
   * together (group commit, as recordActive does for ACTIVE): one transaction and one log prune
   * for a burst of deliveries instead of one each. Memory and the scheduler see each outcome
   * only after the commit that holds it.
   */
  private settle(message: MessageRecord, outcome: Settled): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.settleBuffer.push({ message, outcome, resolve, reject })
      if (this.settleBuffer.length > 1) return // a flush is already queued and will take it
      void this.store.exclusive(async () => {
        const batch = this.settleBuffer.splice(0)
        try {
          const plans = batch.flatMap(({ message, outcome }) => this.planSettle(message, outcome) ?? [])
          const statements = plans.flatMap((plan) => plan.statements)
          if (statements.length > 0) await this.store.commit([...statements, sql.pruneEvents(this.logRetention)])
          for (const plan of plans) plan.apply()
          for (const waiter of batch) waiter.resolve()
        } catch (error) {
          for (const waiter of batch) waiter.reject(error)
        }
      })
    })
  }

  /** One outcome's statements and what to change in memory once they are committed; undefined if cancelled meanwhile. Runs inside the write lane. */
  private planSettle(message: MessageRecord, outcome: Settled): { statements: InStatement[]; apply: () => void } | undefined {
    if (this.pending.get(message.id) !== message) return undefined // cancelled while in flight
    const now = this.now()
    const scale = this.options.retryDelayScale
    const statements: InStatement[] = []
    const spawned: MessageRecord[] = []
    const error = outcome.kind === 'failed' ? outcome.error : undefined
    const events: EventRecord[] = []
    if (message.callback && outcome.response) {
      const envelope = callbackEnvelope(message, outcome.response, undefined)
      spawned.push(callbackMessage('callback', message.callback, envelope, ++this.seq, now, scale))
    }
    const responseStatus = outcome.response?.status
    let retryAt: number | undefined
    if (outcome.kind === 'delivered') {
      statements.push(sql.deleteMessage(message.id))
      events.push(eventRecord(message, 'DELIVERED', now, { responseStatus }))
    } else if (!outcome.nonRetryable && message.retried < message.maxRetries) {
      retryAt = Math.ceil(now + retryDelayMs(message.retryDelay, message.retried) * scale)
      statements.push(sql.rescheduleMessage({ ...message, retried: message.retried + 1, nextAt: retryAt }))
      events.push(
        eventRecord(message, 'ERROR', now, { error: failureText(outcome), responseStatus }),
        eventRecord(message, 'RETRY', now, { nextDeliveryTime: retryAt }),
      )
    } else {
      const dlqId = newId('dlq')
      statements.push(sql.deleteMessage(message.id), sql.insertDlq({ dlqId, message, response: outcome.response, error, createdAt: now }))
      events.push(
        eventRecord(message, 'ERROR', now, { error: failureText(outcome), responseStatus }),
        eventRecord(message, 'FAILED', now, { error: failureText(outcome), responseStatus }),
      )
      if (message.failureCallback) {
        const envelope = callbackEnvelope(message, outcome.response, error, dlqId)
        spawned.push(callbackMessage('failure-callback', message.failureCallback, envelope, ++this.seq, now, scale))
      }
    }
    statements.push(...spawned.map(sql.insertMessage), ...spawned.map((m) => sql.insertEvent(eventRecord(m, 'CREATED', now))))
    statements.push(...events.map(sql.insertEvent))
    const apply = () => {
      if (retryAt === undefined) {
        this.pending.delete(message.id)
        this.scheduler.remove(message)
      } else {
        message.retried += 1
        message.nextAt = retryAt
        this.scheduler.reschedule(message)
      }
      for (const callback of spawned) this.accept(callback)
    }
    return { statements, apply }
  }

  // ---- messages ----

  getMessage(id: string): MessageRecord | undefined {
    return this.pending.get(id)
  }

  /**
   * Cancels pending messages (an in-flight attempt finishes but is not retried). A predicate
   * cancels at most `limit` matches, oldest first.
   */
  cancel(select: string[] | ((message: MessageRecord) => boolean), limit = Infinity): Promise<number> {
    return this.store.exclusive(async () => {
      const victims = Array.isArray(select)
        ? select.flatMap((id) => this.pending.get(id) ?? [])
        : [...this.pending.values()]
            .filter(select)
            .sort((a, b) => a.seq - b.seq)
            .slice(0, limit)
      await this.store.commit([...victims.map((message) => sql.deleteMessage(message.id)), ...this.logStatements(victims, 'CANCELED', this.now())])
      for (const message of victims) {
        this.pending.delete(message.id)
        this.scheduler.remove(message)
      }
      return victims.length
    })
  }

  // ---- dead letter queue ----

  /**
   * Re-publishes DLQ entries as new messages (new id, retry count reset) and removes them from
   * the DLQ. Returns the new ids and whether more entries match beyond `count`.
   */
  retryDlq(filter: DlqFilter, count: number): Promise<{ messageIds: string[]; cursor?: string }> {
    return this.store.exclusive(async () => {
      const { records, cursor } = await this.dlqPage(filter, count)
      const now = this.now()
      const messages = records.map(
        (record): MessageRecord => ({
          ...record.message,
          id: newId('msg'),
          seq: ++this.seq,
          retried: 0,
          createdAt: now,
          notBefore: now,
          nextAt: now,
        }),
      )
      const newQueues = this.implicitQueues(messages, now) // its queue may have been deleted since
      await this.store.commit([
        ...records.map((record) => sql.deleteDlq(record.dlqId)),
        ...messages.map(sql.insertMessage),
        ...this.logStatements(messages, 'CREATED', now),
        ...newQueues.map(sql.upsertQueue),
      ])
      this.addQueues(newQueues)
      for (const message of messages) this.accept(message)
      return { messageIds: messages.map((message) => message.id), cursor }
    })
  }

  deleteDlq(filter: DlqFilter, count: number): Promise<{ deleted: number; cursor?: string }> {
    return this.store.exclusive(async () => {
      const { records, cursor } = await this.dlqPage(filter, count)
      await this.store.commit(records.map((record) => sql.deleteDlq(record.dlqId)))
      return { deleted: records.length, cursor }
    })
  }

  /** One page of DLQ entries; `cursor` (a seq) is set when more entries match. */
  async dlqPage(filter: DlqFilter, count: number): Promise<{ records: DlqRecord[]; cursor?: string }> {
    const records = await this.store.listDlq({ ...filter, limit: count + 1 })
    const page = records.slice(0, count)
    const last = page[page.length - 1]
    return { records: page, cursor: records.length > count && last ? String(last.seq) : undefined }
  }

  // ---- flow control ----

  flowControl(key: string): FlowControlInfo | undefined {
    return this.scheduler.flows.info(key)
  }

  flowControls(): FlowControlInfo[] {
    return this.scheduler.flows.list()
  }

  /** Paused keys hold their due messages in the wait list; the pause is durable. */
  pauseFlowControl(key: string, paused: boolean): Promise<void> {
    return this.store.exclusive(async () => {
      await this.store.commit([sql.setFlowPaused(key, paused)])
      this.scheduler.flows.setPaused(key, paused)
    })
  }

  resetFlowControlRate(key: string): void {
    this.scheduler.flows.resetRate(key)
  }

  globalParallelism(): { parallelismMax: number; parallelismCount: number } {
    return { parallelismMax: this.options.concurrency, parallelismCount: this.scheduler.inFlightCount }
  }

  // ---- queues ----

  /** Enqueueing to an unknown queue creates it (parallelism 1), as QStash does. */
  private implicitQueues(messages: MessageRecord[], now: number): QueueRecord[] {
    const names = new Set(messages.flatMap((message) => message.queueName ?? []))
    return [...names].filter((name) => !this.queues.has(name)).map((name) => ({ name, parallelism: 1, paused: false, createdAt: now, updatedAt: now }))
  }

  private addQueues(queues: QueueRecord[]): void {
    for (const queue of queues) {
      this.queues.set(queue.name, queue)
      this.scheduler.configureQueue(queue.name, queue)
    }
  }

  listQueues(): (QueueRecord & { lag: number })[] {
    return [...this.queues.values()].map((queue) => ({ ...queue, lag: this.scheduler.queueLag(queue.name) }))
  }

  upsertQueue(name: string, change: { parallelism?: number; paused?: boolean }, mustExist = false): Promise<void> {
    return this.store.exclusive(async () => {
      const now = this.now()
      const known = this.queues.get(name)
      if (!known && mustExist) throw new HttpError(404, `queue ${name} not found`)
      const queue: QueueRecord = {
        name,
        parallelism: change.parallelism ?? known?.parallelism ?? 1,
        paused: change.paused ?? known?.paused ?? false,
        createdAt: known?.createdAt ?? now,
        updatedAt: now,
      }
      await this.store.commit([sql.upsertQueue(queue)])
      this.queues.set(name, queue)
      this.scheduler.configureQueue(name, queue)
    })
  }

  /** Deletes a queue together with its pending messages. */
  deleteQueue(name: string): Promise<void> {
    return this.store.exclusive(async () => {
      if (!this.queues.has(name)) throw new HttpError(404, `queue ${name} not found`)
      const victims = [...this.pending.values()].filter((message) => message.queueName === name)
      await this.store.commit([
        sql.deleteQueue(name),
        ...victims.map((message) => sql.deleteMessage(message.id)),
        ...this.logStatements(victims, 'CANCELED', this.now()),
      ])
      this.queues.delete(name)
      for (const message of victims) {
        this.pending.delete(message.id)
        this.scheduler.remove(message)
      }
    })
  }
}

/** What the log shows for a failed attempt: the connection error, or the status and the body's start. */
function failureText(outcome: Exclude<AttemptOutcome, { kind: 'aborted' | 'delivered' }>): string {
  if (outcome.response === undefined) return outcome.error ?? 'no response'
  const body = new TextDecoder().decode(outcome.response.body.subarray(0, 200))
  return `${outcome.response.status}${body === '' ? '' : `: ${body}`}`
}

function markDeduplicated(prior: ItemResult): ItemResult {
  return Array.isArray(prior) ? prior.map((result) => ({ ...result, deduplicated: true })) : { ...prior, deduplicated: true }
}
