import { eventType, jobTopic } from './addresses.ts'
import type { Dispatcher, Registration } from './dispatcher.ts'
import { CascadeDepthError } from './errors.ts'
import type { DomainEvent } from './events.ts'
import type { Instrumentation } from './instrumentation.ts'
import type { IntegrationEvent, NewIntegrationEvent } from './integration-event.ts'
import type { AnyAggregate, Changeset, Journal, OutboxMessage, Repository, Statement } from './ports.ts'

/** What an in-transaction handler may do: touch aggregates, stage writes, publish. */
export interface HandlerContext {
  readonly uow: UnitOfWork
  /** The command's instant. */
  readonly now: string
  newId(): string
  /** Stages an integration event in the outbox, caused by the event being handled. */
  publish<T extends string, D>(event: NewIntegrationEvent<T, D>, options?: { notBefore?: string }): IntegrationEvent<T, D>
}

export interface UnitOfWorkOptions {
  readonly dispatcher: Dispatcher<any, HandlerContext>
  /** The command's instant (ISO-8601); every event of the command carries it. */
  readonly now: string
  readonly newId: () => string
  readonly correlationId: string
  /** What caused the command: a delivery's event id, or null for a user request. */
  readonly causationId?: string | null
  /** Generations of handler-raised events allowed before the command fails. Default 8. */
  readonly maxDepth?: number
  /** Validates an outgoing integration event against its contract; throws to fail the command. */
  readonly checkIntegrationEvent?: (event: IntegrationEvent) => void
  /** Telemetry: a span per handler, and the trace context stamped on what is recorded. */
  readonly instrumentation?: Instrumentation
}

interface Tracked {
  readonly aggregate: AnyAggregate
  readonly repository: Repository<AnyAggregate>
  readonly loadedVersion: number
}

/** The outbox of a unit of work that published nothing. */
const NOTHING: readonly never[] = Object.freeze([])

/** Above this many tracked aggregates the identity map gets a hash index; below, a scan is cheaper. */
const SCAN_LIMIT = 8

/**
 * One command's unit of work: an identity map of the aggregates it touched, the writes it
 * staged, and the dispatch of recorded events to in-transaction handlers (repeating for events
 * those handlers raise, up to `maxDepth`). `complete(journal)` returns the changeset for ONE
 * atomic commit; nothing is written before that.
 *
 * It sits on every command's path, so it allocates little: tracked aggregates live in an array
 * (a keyed index appears only past {@link SCAN_LIMIT}), the stamped events double as the dispatch
 * queue, and handlers share one context per event.
 *
 * @example
 * const uow = new UnitOfWork({ dispatcher, now, newId, correlationId })
 * const order = await uow.load(orders, id)
 * order.ship()
 * const changeset = await uow.complete(sqlJournal) // the journal turns events and outbox rows into statements
 * await committer.commit(changeset.statements)
 */
export class UnitOfWork {
  readonly #tracked: Tracked[] = []
  #index: Map<string, Tracked> | undefined
  #outbox: OutboxMessage[] | undefined
  readonly #statements: Statement[] = []
  /** Stamped events in dispatch order. */
  readonly #events: DomainEvent[] = []
  readonly #options: UnitOfWorkOptions
  #completed = false

  constructor(options: UnitOfWorkOptions) {
    this.#options = options
  }

  get now(): string {
    return this.#options.now
  }

  #commitId: string | undefined
  /**
   * Names this unit of work's one commit: stamped on everything it writes (events, outbox rows,
   * its inbox row, context rows that want it), so a reader links a delivery to exactly what its
   * handling wrote, never by equal timestamps.
   */
  get commitId(): string {
    this.#commitId ??= this.#options.newId()
    return this.#commitId
  }

  get correlationId(): string {
    return this.#options.correlationId
  }

  /** Loads through the identity map: a second load of the same aggregate returns the same instance. */
  async load<A extends AnyAggregate>(repository: Repository<A>, id: string): Promise<A | undefined> {
    const known = this.#find(repository.aggregateType, id)
    if (known) return known.aggregate as A
    const aggregate = await repository.load(id)
    if (aggregate) this.#track(repository, aggregate, aggregate.version)
    return aggregate
  }

  /** Tracks a newly created aggregate so its events are dispatched and it is saved. */
  add<A extends AnyAggregate>(repository: Repository<A>, aggregate: A): A {
    if (this.#find(repository.aggregateType, aggregate.id)) {
      throw new Error(`${repository.aggregateType}:${aggregate.id} is already tracked by this unit of work`)
    }
    this.#track(repository, aggregate, 0)
    return aggregate
  }

  /** Stages a write that is not an aggregate (a read model, an inbox record…). */
  stage(...statements: Statement[]): void {
    for (let i = 0; i < statements.length; i++) this.#statements.push(statements[i]!)
  }

  /** Stages an integration event. Prefer `HandlerContext.publish`, which sets causation. */
  publish<T extends string, D>(
    event: NewIntegrationEvent<T, D>,
    causationId: string | null = this.#options.causationId ?? null,
    options: { notBefore?: string } = {},
  ): IntegrationEvent<T, D> {
    const integrationEvent: IntegrationEvent<T, D> = {
      id: this.#options.newId(),
      version: 1,
      ...event,
      time: this.now,
      correlationId: this.correlationId,
      causationId,
      ...this.#options.instrumentation?.traceContext?.(),
    }
    this.#options.checkIntegrationEvent?.(integrationEvent)
    this.#enqueue({
      id: integrationEvent.id,
      kind: 'integration',
      topic: eventType({ source: integrationEvent.source, name: integrationEvent.type, version: integrationEvent.version }),
      payload: integrationEvent,
      createdAt: this.now,
      ...(options.notBefore ? { notBefore: options.notBefore } : {}),
    })
    return integrationEvent
  }

  /**
   * Dispatches every recorded event (and the ones its handlers raise) and returns the changeset.
   * Throws whatever a handler throws; the caller then commits nothing.
   */
  async complete(journal: Journal): Promise<Changeset> {
    if (this.#completed) throw new Error('A unit of work completes once')
    this.#completed = true
    this.#pull(this.#options.causationId ?? null)
    // `#events` is the queue: what handlers raise joins the end, so it is walked breadth-first and
    // a generation ends where the events known when it began end. The work between awaits lives in
    // plain methods (#route, #pull, #changeset), which engines optimise better than suspendable code.
    let depth = 0
    let generationEnd = this.#events.length
    for (let index = 0; index < this.#events.length; index++) {
      if (index === generationEnd) {
        depth++
        generationEnd = this.#events.length
      }
      const handlers = this.#route(index, depth)
      if (handlers.length === 0) continue
      const event = this.#events[index]!
      const context = new Context(this, this.#options.newId, event.id)
      const traced = this.#options.instrumentation?.handler
      for (let h = 0; h < handlers.length; h++) {
        const handler = handlers[h]!
        const pending = traced ? traced(handler.name, event, () => handler.handle(event, context)) : handler.handle(event, context)
        if (pending) await pending
        if (this.#hasPending()) this.#pull(event.id)
      }
    }
    return this.#changeset(journal)
  }

  /** Checks the event's depth, schedules its after-commit handlers, returns its in-transaction ones. */
  #route(index: number, depth: number): readonly Registration<HandlerContext>[] {
    const event = this.#events[index]!
    const { dispatcher, maxDepth = 8 } = this.#options
    if (depth > maxDepth) throw new CascadeDepthError(this.#chainOf(event), maxDepth)
    const { inTransaction, afterCommit } = dispatcher.routesFor(event.type)
    for (let h = 0; h < afterCommit.length; h++) this.#schedule(afterCommit[h]!, event)
    return inTransaction
  }

  #changeset(journal: Journal): Changeset {
    const events = this.#events
    // Events first: their unique (aggregate, version) key is what aborts a stale batch.
    const statements = events.length > 0 ? journal.appendEvents(events, this.commitId) : []
    for (const t of this.#tracked) {
      if (t.aggregate.version !== t.loadedVersion) for (const s of t.repository.save(t.aggregate, t.loadedVersion)) statements.push(s)
    }
    for (const s of this.#statements) statements.push(s)
    const outbox = this.#outbox ?? NOTHING
    if (outbox.length > 0) for (const s of journal.enqueue(outbox, this.commitId)) statements.push(s)
    return { events, outbox, statements }
  }

  /** The context a handler gets: what it publishes is caused by `causationId`. */
  context(causationId: string): HandlerContext {
    return new Context(this, this.#options.newId, causationId)
  }

  #find(aggregateType: string, id: string): Tracked | undefined {
    if (this.#index) return this.#index.get(`${aggregateType}:${id}`)
    for (const t of this.#tracked) if (t.aggregate.id === id && t.repository.aggregateType === aggregateType) return t
    return undefined
  }

  #track(repository: Repository<AnyAggregate>, aggregate: AnyAggregate, loadedVersion: number): void {
    const tracked: Tracked = { aggregate, repository, loadedVersion }
    this.#tracked.push(tracked)
    if (this.#index) this.#index.set(`${repository.aggregateType}:${aggregate.id}`, tracked)
    else if (this.#tracked.length > SCAN_LIMIT) {
      this.#index = new Map(this.#tracked.map((t) => [`${t.repository.aggregateType}:${t.aggregate.id}`, t]))
    }
  }

  #hasPending(): boolean {
    for (let i = 0; i < this.#tracked.length; i++) if (this.#tracked[i]!.aggregate.pendingEvents.length > 0) return true
    return false
  }

  /** Takes pending events from every tracked aggregate, in tracking order, stamps and queues them. */
  #pull(causationId: string | null): void {
    const { newId, now, correlationId } = this.#options
    for (let i = 0; i < this.#tracked.length; i++) {
      const aggregate = this.#tracked[i]!.aggregate
      if (aggregate.pendingEvents.length === 0) continue
      for (const r of aggregate.pullEvents()) {
        this.#events.push({
          type: r.type,
          data: r.data,
          aggregateType: r.aggregateType,
          aggregateId: r.aggregateId,
          aggregateVersion: r.aggregateVersion,
          schemaVersion: r.schemaVersion,
          id: newId(),
          occurredAt: now,
          correlationId,
          causationId,
        })
      }
    }
  }

  /** Records an after-commit handler's durable job in the outbox. */
  #schedule(handler: Registration<HandlerContext>, event: DomainEvent): void {
    // The job carries the trace context it was recorded in, so its delivery joins the same trace.
    const trace = this.#options.instrumentation?.traceContext?.()
    this.#enqueue({
      id: this.#options.newId(),
      kind: 'after-commit',
      topic: jobTopic(handler.name),
      payload: trace ? { ...event, ...trace } : event,
      createdAt: this.now,
      ...(handler.delayMs > 0 ? { notBefore: addMilliseconds(this.now, handler.delayMs) } : {}),
    })
  }

  /** Most commands publish nothing, so the outbox list is made on first use. */
  #enqueue(message: OutboxMessage): void {
    if (this.#outbox) this.#outbox.push(message)
    else this.#outbox = [message]
  }

  /** The event types from the command's first event down to `event`, following causation (error path only). */
  #chainOf(event: DomainEvent): string[] {
    const byId = new Map(this.#events.map((e) => [e.id, e]))
    const chain: string[] = []
    for (let e: DomainEvent | undefined = event; e; e = e.causationId === null ? undefined : byId.get(e.causationId)) chain.unshift(e.type)
    return chain
  }
}

/**
 * A handler's view of the unit of work for one event, shared by that event's handlers. Every
 * member survives destructuring (`async (event, { uow, now, publish }) => …`); `publish` is built
 * only when a handler asks for it, since most handlers never publish.
 */
class Context implements HandlerContext {
  readonly now: string

  constructor(
    readonly uow: UnitOfWork,
    readonly newId: () => string,
    private readonly causationId: string,
  ) {
    this.now = uow.now
  }

  get publish(): HandlerContext['publish'] {
    return (event, options) => this.uow.publish(event, this.causationId, options)
  }
}

function addMilliseconds(instant: string, ms: number): string {
  return new Date(Date.parse(instant) + ms).toISOString()
}
