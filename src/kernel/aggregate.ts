import type { EventShape, RecordedEvent } from './events.ts'

/** Pending events of an aggregate that has none: shared, so loading or pulling allocates nothing. */
const NONE = Object.freeze([]) as readonly never[] as never[]

/**
 * Base class for aggregate roots with deferred dispatch: methods *record* events; nothing runs
 * when an event is raised. The unit of work pulls recorded events and dispatches them.
 *
 * State changes only through `evolve`, the same function replay uses, so replaying an
 * aggregate's stored events always yields the state that was stored.
 *
 * @example
 * class Counter extends AggregateRoot<{ n: number }, EventShape<'Incremented', { by: number }>> {
 *   static readonly type = 'Counter'
 *   protected evolve(state, event) { return { n: state.n + event.data.by } }
 *   increment(by: number) { this.record({ type: 'Incremented', data: { by } }) }
 * }
 */
export abstract class AggregateRoot<S, E extends EventShape> {
  #state: S
  #version: number
  #pending: RecordedEvent<E['type'], E['data']>[] = NONE

  protected constructor(
    readonly aggregateType: string,
    readonly id: string,
    state: S,
    version: number,
  ) {
    this.#state = state
    this.#version = version
  }

  /** Pure transition used both when recording and when replaying. */
  protected abstract evolve(state: S, event: E): S

  /** Schema version of each event type's data; override when a shape gets a new version. */
  protected schemaVersionOf(_type: E['type']): number {
    return 1
  }

  get state(): S {
    return this.#state
  }

  get version(): number {
    return this.#version
  }

  get pendingEvents(): readonly RecordedEvent<E['type'], E['data']>[] {
    return this.#pending
  }

  protected record(event: E): void {
    this.#state = this.evolve(this.#state, event)
    this.#version += 1
    const recorded = {
      type: event.type,
      data: event.data,
      aggregateType: this.aggregateType,
      aggregateId: this.id,
      aggregateVersion: this.#version,
      schemaVersion: this.schemaVersionOf(event.type),
    }
    if (this.#pending === NONE) this.#pending = [recorded]
    else this.#pending.push(recorded)
  }

  /** Hands the recorded events to the caller and forgets them. */
  pullEvents(): readonly RecordedEvent<E['type'], E['data']>[] {
    const events = this.#pending
    this.#pending = NONE
    return events
  }

  clearEvents(): void {
    this.#pending = NONE
  }

  /** Applies already-stored events (replay); records nothing. */
  protected replay(events: readonly E[]): void {
    for (const event of events) {
      this.#state = this.evolve(this.#state, event)
      this.#version += 1
    }
  }
}
