/**
 * An integration event: a public contract another context (or another company) depends on.
 * Unlike domain events it has a registered schema and a major version, and it only leaves the
 * service through the outbox, after the command that produced it committed.
 */
export interface IntegrationEvent<T extends string = string, D = unknown> {
  /** Unique; reused on every re-publish so consumers can deduplicate. */
  readonly id: string
  /** Event name without context or version, e.g. `OrderStatusChangedToPaid`. */
  readonly type: T
  /** Major schema version. */
  readonly version: number
  /** Owning bounded context, e.g. `ordering`. */
  readonly source: string
  /** The aggregate the event is about. */
  readonly subject: string
  readonly time: string
  readonly data: D
  readonly correlationId: string
  readonly causationId: string | null
  /** Aggregate version, so consumers can spot stale or out-of-order events. */
  readonly sequence?: number
  /** W3C trace context of the span that recorded it (a CloudEvents extension on the wire). */
  readonly traceparent?: string
  readonly tracestate?: string
}

/** What a handler supplies; the unit of work fills in id, time and causation. */
export type NewIntegrationEvent<T extends string = string, D = unknown> = Pick<IntegrationEvent<T, D>, 'type' | 'source' | 'subject' | 'data'> &
  Partial<Pick<IntegrationEvent<T, D>, 'version' | 'sequence'>>
