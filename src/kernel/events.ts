/**
 * An event as an aggregate records it: what happened, to which aggregate, at which version.
 * It is not yet stamped with an id or a time; the unit of work does that from the command's
 * clock and id generator, so domain code never reads the clock or makes random ids.
 */
export interface RecordedEvent<T extends string = string, D = unknown> {
  readonly type: T
  readonly data: D
  readonly aggregateType: string
  readonly aggregateId: string
  /** The aggregate's version after this event (1 for the first event). */
  readonly aggregateVersion: number
  /** Version of the event's data shape, for upcasting stored rows on read. */
  readonly schemaVersion: number
}

/**
 * A domain event: immutable plain data that travels as JSON. It holds ids and values, never an
 * aggregate.
 *
 * @example
 * type OrderShipped = DomainEvent<'OrderShipped', { orderId: string }>
 */
export interface DomainEvent<T extends string = string, D = unknown> extends RecordedEvent<T, D> {
  readonly id: string
  /** ISO-8601 instant the command carried. */
  readonly occurredAt: string
  /** The conversation this event belongs to (the originating request or delivery). */
  readonly correlationId: string
  /** The id of the event or message that directly caused this one. */
  readonly causationId: string | null
}

/** The shape an aggregate's event union is built from: `{ type, data }` pairs. */
export interface EventShape<T extends string = string, D = unknown> {
  readonly type: T
  readonly data: D
}

export type EventOfType<E extends EventShape, T extends E['type']> = Extract<E, { type: T }>
