import type { Dispatcher } from './dispatcher.ts'
import { ConcurrencyError } from './errors.ts'
import type { IntegrationEvent } from './integration-event.ts'
import type { Changeset, Committer, Journal } from './ports.ts'
import { type HandlerContext, UnitOfWork } from './unit-of-work.ts'

export interface CommandRunnerDeps {
  // biome-ignore lint: any event union
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
}

export interface CommandMeta {
  readonly correlationId?: string
  readonly causationId?: string | null
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
    const { maxAttempts = 8 } = this.deps
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#attempt(work, meta)
      } catch (error) {
        if (!(error instanceof ConcurrencyError) || attempt >= maxAttempts) throw error
        // A random pause spreads racing retries apart, so they don't collide again at once.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 2 * attempt))
      }
    }
  }

  async #attempt<R>(work: (uow: UnitOfWork) => Promise<R>, meta: CommandMeta): Promise<CommandOutcome<R>> {
    const { dispatcher, committer, journal, clock, newId, maxDepth, checkIntegrationEvent, onCommitted } = this.deps
    const uow = new UnitOfWork({
      dispatcher,
      now: clock(),
      newId,
      correlationId: meta.correlationId ?? newId(),
      causationId: meta.causationId ?? null,
      ...(maxDepth === undefined ? {} : { maxDepth }),
      ...(checkIntegrationEvent ? { checkIntegrationEvent } : {}),
    })
    const result = await work(uow)
    const changeset = await uow.complete(journal)
    if (changeset.statements.length > 0) {
      await committer.commit(changeset.statements)
      if (changeset.outbox.length > 0) onCommitted?.(changeset)
    }
    return { result, changeset }
  }
}
