import type { Dispatcher } from './dispatcher.ts'
import { ConcurrencyError } from './errors.ts'
import type { CommandTelemetry, Instrumentation } from './instrumentation.ts'
import type { IntegrationEvent } from './integration-event.ts'
import type { Changeset, Committer, Journal } from './ports.ts'
import { type HandlerContext, UnitOfWork } from './unit-of-work.ts'

export interface CommandRunnerDeps {
  readonly dispatcher: Dispatcher<any, HandlerContext>
  readonly committer: Committer
  readonly journal: Journal
  /** ISO-8601 clock; read once per attempt and carried by the command. */
  readonly clock: () => string
  readonly newId: () => string
  /** Attempts before a concurrency conflict becomes a 409. Default 8. */
  readonly maxAttempts?: number
  readonly maxDepth?: number
  readonly checkIntegrationEvent?: (event: IntegrationEvent) => void
  /** Called after each commit, e.g. to relay the new outbox rows at once. Must not throw. */
  readonly onCommitted?: (changeset: Changeset) => void
  /** Telemetry hooks (spans, metrics); the toolkit passes them in. */
  readonly instrumentation?: Instrumentation
}

export interface CommandMeta {
  readonly correlationId?: string
  readonly causationId?: string | null
  /** What the command is called in telemetry (default: the work function's name). */
  readonly command?: string
}

export interface CommandOutcome<R> {
  readonly result: R
  readonly changeset: Changeset
}

/**
 * Runs a command: a fresh unit of work per attempt, dispatch, one atomic commit. A stale
 * version (or a duplicate key raced in by a concurrent command) aborts the batch; the command is
 * then re-run on fresh state, up to `maxAttempts`, and finally fails with {@link ConcurrencyError}.
 *
 * @example
 * const { result } = await runner.run((uow) => shipOrder(uow, orders, id))
 */
export class CommandRunner {
  constructor(private readonly deps: CommandRunnerDeps) {}

  async run<R>(work: (uow: UnitOfWork) => Promise<R>, meta: CommandMeta = {}): Promise<CommandOutcome<R>> {
    const command = this.deps.instrumentation?.command
    if (!command) return this.#attempts(work, meta)
    return command(meta.command ?? work.name, (telemetry) => this.#attempts(work, meta, telemetry))
  }

  async #attempts<R>(work: (uow: UnitOfWork) => Promise<R>, meta: CommandMeta, telemetry?: CommandTelemetry): Promise<CommandOutcome<R>> {
    const { maxAttempts = 8 } = this.deps
    for (let attempt = 1; ; attempt++) {
      try {
        const outcome = await this.#attempt(work, meta)
        if (telemetry) annotate(telemetry, outcome.changeset, attempt)
        return outcome
      } catch (error) {
        const conflict = error instanceof ConcurrencyError
        if (conflict) telemetry?.conflict(attempt, attempt < maxAttempts)
        if (!conflict || attempt >= maxAttempts) throw error
        // A random pause spreads racing retries apart, so they don't collide again at once.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 2 * attempt))
      }
    }
  }

  async #attempt<R>(work: (uow: UnitOfWork) => Promise<R>, meta: CommandMeta): Promise<CommandOutcome<R>> {
    const { dispatcher, committer, journal, clock, newId, maxDepth, checkIntegrationEvent, onCommitted, instrumentation } = this.deps
    const uow = new UnitOfWork({
      dispatcher,
      now: clock(),
      newId,
      correlationId: meta.correlationId ?? newId(),
      causationId: meta.causationId ?? null,
      ...(maxDepth === undefined ? {} : { maxDepth }),
      ...(checkIntegrationEvent ? { checkIntegrationEvent } : {}),
      ...(instrumentation ? { instrumentation } : {}),
    })
    const result = await work(uow)
    const changeset = await uow.complete(journal)
    if (changeset.statements.length > 0) {
      const commit = instrumentation?.commit
      if (commit) await commit(changeset.statements.length, () => committer.commit(changeset.statements))
      else await committer.commit(changeset.statements)
      if (changeset.outbox.length > 0) onCommitted?.(changeset)
    }
    return { result, changeset }
  }
}

/** What telemetry learns once an attempt committed: the aggregate it was about, the attempt number. */
function annotate(telemetry: CommandTelemetry, changeset: Changeset, attempt: number): void {
  const first = changeset.events[0]
  telemetry.annotate({
    'herald.command.attempt': attempt,
    'herald.command.events': changeset.events.length,
    ...(first ? { 'herald.aggregate.type': first.aggregateType, 'herald.aggregate.id': first.aggregateId, 'herald.command.first_event': first.type } : {}),
  })
}
