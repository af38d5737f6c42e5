import { cloudEventType } from './contracts/registry.ts'
import type { Dispatcher } from './dispatcher.ts'
import { CascadeDepthError } from './errors.ts'
import type { DomainEvent, RecordedEvent } from './events.ts'
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
  // biome-ignore lint: any event union
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
}

interface Tracked {
  readonly aggregate: AnyAggregate
  readonly repository: Repository<AnyAggregate>
  readonly loadedVersion: number
}

interface Queued {
  readonly event: DomainEvent
  readonly depth: number
  readonly chain: readonly string[]
}

/**
 * One command's unit of work: an identity map of the aggregates it touched, the writes it
 * staged, and the dispatch of recorded events to in-transaction handlers (repeating for events
 * those handlers raise, up to `maxDepth`). `complete()` returns the changeset for ONE atomic
 * commit; nothing is written before that.
 *
 * @example
 * const uow = new UnitOfWork({ dispatcher, now, newId, correlationId })
 * const order = await uow.load(orders, id)
 * order.ship(now)
 * const changeset = await uow.complete()
 * await committer.commit(changeset.statements)
 */
export class UnitOfWork {
  readonly #tracked = new Map<string, Tracked>()
  /** The same entries in tracking order, as an array: the dispatch loop walks it after every handler. */
  readonly #order: Tracked[] = []
  readonly #outbox: OutboxMessage[] = []
  readonly #statements: Statement[] = []
  readonly #events: DomainEvent[] = []
  readonly #options: UnitOfWorkOptions
  #completed = false

  constructor(options: UnitOfWorkOptions) {
    this.#options = options
  }

  get now(): string {
    return this.#options.now
  }

  get correlationId(): string {
    return this.#options.correlationId
  }

  /** Loads through the identity map: a second load of the same aggregate returns the same instance. */
  async load<A extends AnyAggregate>(repository: Repository<A>, id: string): Promise<A | undefined> {
    const key = `${repository.aggregateType}:${id}`
    const known = this.#tracked.get(key)
    if (known) return known.aggregate as A
    const aggregate = await repository.load(id)
    if (aggregate) this.#track(repository, aggregate, aggregate.version)
    return aggregate
  }

  /** Tracks a newly created aggregate so its events are dispatched and it is saved. */
  add<A extends AnyAggregate>(repository: Repository<A>, aggregate: A): A {
    const key = `${repository.aggregateType}:${aggregate.id}`
    if (this.#tracked.has(key)) throw new Error(`${key} is already tracked by this unit of work`)
    this.#track(repository, aggregate, 0)
    return aggregate
  }

  /** Stages a write that is not an aggregate (a read model, an inbox record…). */
  stage(...statements: Statement[]): void {
    this.#statements.push(...statements)
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
    }
    this.#options.checkIntegrationEvent?.(integrationEvent)
    this.#outbox.push({
      id: integrationEvent.id,
      kind: 'integration',
      topic: cloudEventType({ source: integrationEvent.source, name: integrationEvent.type, version: integrationEvent.version }),
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
    await this.#dispatchAll()
    // Events first: their unique (aggregate, version) key is what aborts a stale batch.
    const statements = journal.appendEvents(this.#events)
    for (const t of this.#order) {
      if (t.aggregate.version !== t.loadedVersion) for (const s of t.repository.save(t.aggregate, t.loadedVersion)) statements.push(s)
    }
    for (const s of this.#statements) statements.push(s)
    for (const s of journal.enqueue(this.#outbox)) statements.push(s)
    return { events: this.#events, outbox: this.#outbox, statements }
  }

  #track(repository: Repository<AnyAggregate>, aggregate: AnyAggregate, loadedVersion: number): void {
    const tracked = { aggregate, repository, loadedVersion }
    this.#tracked.set(`${repository.aggregateType}:${aggregate.id}`, tracked)
    this.#order.push(tracked)
  }

  async #dispatchAll(): Promise<void> {
    const { dispatcher, maxDepth = 8 } = this.#options
    const queue: Queued[] = this.#pull(this.#options.causationId ?? null, 0, [])
    for (let index = 0; index < queue.length; index++) {
      const { event, depth, chain } = queue[index]!
      if (depth > maxDepth) throw new CascadeDepthError([...chain, event.type], maxDepth)
      const handlers = dispatcher.handlersFor(event.type, 'in-transaction')
      if (handlers.length > 0) {
        const context = this.context(event.id)
        let path: readonly string[] | undefined
        for (const handler of handlers) {
          await handler.handle(event, context)
          if (this.#hasPending()) for (const q of this.#pull(event.id, depth + 1, (path ??= [...chain, event.type]))) queue.push(q)
        }
      }
      for (const handler of dispatcher.handlersFor(event.type, 'after-commit')) {
        this.#outbox.push({
          id: this.#options.newId(),
          kind: 'after-commit',
          topic: `handler:${handler.name}`,
          payload: event,
          createdAt: this.now,
          ...(handler.delayMs > 0 ? { notBefore: addMilliseconds(this.now, handler.delayMs) } : {}),
        })
      }
    }
  }

  #hasPending(): boolean {
    for (let i = 0; i < this.#order.length; i++) if (this.#order[i]!.aggregate.pendingEvents.length > 0) return true
    return false
  }

  /** Takes pending events from every tracked aggregate, in tracking order, and stamps them. */
  #pull(causationId: string | null, depth: number, chain: readonly string[]): Queued[] {
    const queued: Queued[] = []
    for (const { aggregate } of this.#order) {
      for (const recorded of aggregate.pullEvents()) {
        const event = this.#stamp(recorded, causationId)
        this.#events.push(event)
        queued.push({ event, depth, chain })
      }
    }
    return queued
  }

  #stamp(recorded: RecordedEvent, causationId: string | null): DomainEvent {
    return {
      ...recorded,
      id: this.#options.newId(),
      occurredAt: this.now,
      correlationId: this.correlationId,
      causationId,
    }
  }

  /** The context a handler gets: what it publishes is caused by `causationId`. */
  context(causationId: string): HandlerContext {
    return {
      uow: this,
      now: this.now,
      newId: this.#options.newId,
      publish: (integrationEvent, options) => this.publish(integrationEvent, causationId, options),
    }
  }
}

function addMilliseconds(instant: string, ms: number): string {
  return new Date(Date.parse(instant) + ms).toISOString()
}
