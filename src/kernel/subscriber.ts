import type { Contract } from './contracts/registry.ts'
import { checkHandlerName } from './dispatcher.ts'
import type { IntegrationEvent } from './integration-event.ts'
import type { HandlerContext } from './unit-of-work.ts'

export type IntegrationHandler<D> = (event: IntegrationEvent<string, D>, context: HandlerContext) => void | Promise<void>

export interface Subscription {
  readonly source: string
  readonly name: string
  readonly handlerName: string
  readonly handle: IntegrationHandler<any>
  /** Deliver this event type in order per subject (one at a time per aggregate). */
  readonly ordered: boolean
}

/**
 * A bounded context's integration-event handlers, declared next to the handlers themselves.
 * Each delivery runs in its own command: the handler's writes and the inbox record commit
 * together, so a redelivery has no second effect.
 *
 * @example
 * export const catalogSubscriber = new Subscriber('catalog')
 *   .on(OrderAwaitingValidationV1, checkStockWhenOrderAwaitingValidation, { name: 'checkStockWhenOrderAwaitingValidation' })
 */
export class Subscriber {
  readonly #subscriptions = new Map<string, Subscription>()

  constructor(readonly context: string) {}

  /**
   * Subscribes to every version of `contract`'s event; the handler sees `contract`'s shape. With
   * `ordered`, the event's deliveries for one subject arrive one at a time, in commit order (the
   * default lets them run in parallel, as QStash does). `name` is the handler's stable identity: it
   * keys the inbox, so renaming the function changes nothing.
   */
  on<D>(contract: Contract<D, any>, handle: IntegrationHandler<D>, options: { readonly name: string; readonly ordered?: boolean }): this {
    const key = `${contract.source}.${contract.name}`
    const handlerName = checkHandlerName(options?.name, `The ${this.context} handler for ${key}`)
    if (this.#subscriptions.has(key)) throw new Error(`${this.context} already handles ${key}`)
    if ([...this.#subscriptions.values()].some((s) => s.handlerName === handlerName)) {
      throw new Error(`${this.context} already has a handler named "${handlerName}"`)
    }
    this.#subscriptions.set(key, { source: contract.source, name: contract.name, handlerName, handle, ordered: options.ordered ?? false })
    return this
  }

  handlerFor(source: string, name: string): Subscription | undefined {
    return this.#subscriptions.get(`${source}.${name}`)
  }

  subscriptions(): Subscription[] {
    return [...this.#subscriptions.values()]
  }
}
