import type { DomainEvent, EventOfType, EventShape } from './events.ts'

/**
 * `in-transaction` handlers run before commit and their writes commit atomically with the
 * command's. `after-commit` handlers are recorded in the same commit and run later from the
 * outbox, so a killed process cannot lose them and they never see uncommitted state.
 */
export type Phase = 'in-transaction' | 'after-commit'

export type Handler<Ev, C> = (event: Ev, context: C) => void | Promise<void>

export interface Registration<C> {
  readonly name: string
  readonly eventType: string
  readonly phase: Phase
  /** After-commit only: deliver no sooner than this many ms after the commit (e.g. a grace period). */
  readonly delayMs: number
  readonly handle: Handler<DomainEvent, C>
}

/** The handlers of one event type, split by phase when they register. */
export interface Routes<C> {
  readonly inTransaction: readonly Registration<C>[]
  readonly afterCommit: readonly Registration<C>[]
}

type DomainEventOf<E extends EventShape, T extends E['type']> = DomainEvent<T, EventOfType<E, T>['data']>

/** How a handler registers: its declared name, and when it runs. */
export interface HandlerOptions {
  /**
   * The handler's stable identity: it addresses its delayed jobs and keys its inbox records, so it
   * must not change when the function is renamed or a minifier mangles names.
   */
  readonly name: string
  readonly phase?: Phase
  /** After-commit only: deliver no sooner than this many ms after the commit. */
  readonly delayMs?: number
}

/** A declared handler or subscription name: letters, digits, `.`, `_` and `-`, starting with a letter. */
export const HANDLER_NAME = /^[A-Za-z][A-Za-z0-9._-]{0,99}$/

/** Refuses a missing or malformed declared name, naming what it was declared for. */
export function checkHandlerName(name: unknown, what: string): string {
  if (typeof name !== 'string' || name === '')
    throw new Error(`${what} needs a name: pass { name: '…' } (a function's own name is not used, a minifier changes it)`)
  if (!HANDLER_NAME.test(name)) throw new Error(`${what} has an invalid name "${name}" (letters, digits, '.', '_' or '-', starting with a letter, at most 100)`)
  return name
}

/**
 * Maps event types to an open number of handlers. Handlers run in registration order and are
 * awaited one by one, so the outcome never depends on timing. Every handler declares its name.
 *
 * @example
 * const dispatcher = new Dispatcher<OrderEvent, HandlerContext>()
 *   .on('OrderStarted', validateOrAddBuyerWhenOrderStarted, { name: 'validateOrAddBuyerWhenOrderStarted' })
 *   .on('OrderPaid', emailBuyerWhenOrderPaid, { name: 'emailBuyerWhenOrderPaid', phase: 'after-commit' })
 */
export class Dispatcher<E extends EventShape = EventShape, C = unknown> {
  readonly #routes = new Map<string, Routes<C>>()
  readonly #byName = new Map<string, Registration<C>>()
  static readonly #none: Routes<never> = Object.freeze({ inTransaction: Object.freeze([]), afterCommit: Object.freeze([]) })

  /** Registers `handle` for `type` under its declared `options.name`, which must be unique. */
  on<T extends E['type']>(type: T, handle: Handler<DomainEventOf<E, T>, C>, options: HandlerOptions): this {
    const name = checkHandlerName(options?.name, `The handler for ${type}`)
    if (options.delayMs && options.phase !== 'after-commit') throw new Error(`Only after-commit handlers can be delayed (${name})`)
    if (this.#byName.has(name)) throw new Error(`Handler name "${name}" is already registered`)
    const registration: Registration<C> = {
      name,
      eventType: type,
      phase: options.phase ?? 'in-transaction',
      delayMs: options.delayMs ?? 0,
      handle: handle as Handler<DomainEvent, C>,
    }
    this.#byName.set(name, registration)
    const { inTransaction, afterCommit } = this.routesFor(type)
    this.#routes.set(
      type,
      registration.phase === 'in-transaction'
        ? { inTransaction: [...inTransaction, registration], afterCommit }
        : { inTransaction, afterCommit: [...afterCommit, registration] },
    )
    return this
  }

  /** Both phases' handlers of `type` in registration order: one lookup per dispatched event. */
  routesFor(type: string): Routes<C> {
    return this.#routes.get(type) ?? (Dispatcher.#none as Routes<unknown> as Routes<C>)
  }

  handlersFor(type: string, phase: Phase): readonly Registration<C>[] {
    const routes = this.routesFor(type)
    return phase === 'in-transaction' ? routes.inTransaction : routes.afterCommit
  }

  /** Every registration, in registration order (start-up checks read them). */
  registrations(): readonly Registration<C>[] {
    return [...this.#byName.values()]
  }

  /** Finds an after-commit handler when its durable delivery arrives. */
  handlerNamed(name: string): Registration<C> | undefined {
    return this.#byName.get(name)
  }
}
