import type { AggregateRoot } from './aggregate.ts'
import type { DomainEvent, EventShape } from './events.ts'

/**
 * A SQL statement as plain data. The kernel never runs SQL; infrastructure builds statements and
 * the committer executes them all in one atomic batch. (The shape matches libSQL's `InStatement`.)
 */
export interface Statement {
  readonly sql: string
  readonly args: readonly (string | number | bigint | null | Uint8Array)[]
}

export type AnyAggregate = AggregateRoot<any, EventShape>

/**
 * Loads and stages one aggregate type. `save` returns statements rather than writing, so every
 * change of a command lands in the same batch.
 */
export interface Repository<A extends AnyAggregate> {
  readonly aggregateType: string
  load(id: string): Promise<A | undefined>
  /** Statements that persist `aggregate`, given the version it was loaded at (0 if new). */
  save(aggregate: A, loadedVersion: number): Statement[]
}

/**
 * A message that leaves through the outbox after commit: an integration event for other
 * contexts, or an after-commit handler's durable job.
 */
export interface OutboxMessage {
  readonly id: string
  readonly kind: 'integration' | 'after-commit'
  /** CloudEvents type of an integration event (`herald.ordering.OrderPaid.v1`) or `handler:<name>`. */
  readonly topic: string
  readonly payload: unknown
  readonly createdAt: string
  /** Delay delivery (e.g. a grace period) until this instant. */
  readonly notBefore?: string
}

/** Everything one command changed, ready for one atomic commit. */
export interface Changeset {
  readonly events: readonly DomainEvent[]
  readonly outbox: readonly OutboxMessage[]
  readonly statements: readonly Statement[]
}

/** Writes a changeset atomically: all of it or none of it. */
export interface Committer {
  /**
   * Must throw {@link ConcurrencyError}-mapped errors for stale versions / duplicate keys so the
   * command runner can retry with fresh state.
   */
  commit(statements: readonly Statement[]): Promise<void>
}

/** Infrastructure's mapping of events and outbox messages to statements. */
export interface Journal {
  /** `commitId` names the unit of work's one commit (see `UnitOfWork.commitId`). */
  appendEvents(events: readonly DomainEvent[], commitId?: string): Statement[]
  enqueue(messages: readonly OutboxMessage[], commitId?: string): Statement[]
}
