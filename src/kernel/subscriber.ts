import type { Contract } from './contracts/registry.ts'
import type { IntegrationEvent } from './integration-event.ts'
import type { HandlerContext } from './unit-of-work.ts'

export type IntegrationHandler<D> = (event: IntegrationEvent<string, D>, context: HandlerContext) => void | Promise<void>

export interface Subscription {
  readonly source: string
  readonly name: string
  readonly handlerName: string
  readonly handle: IntegrationHandler<any>
}

/**
 * A bounded context's integration-event handlers, declared next to the handlers themselves.
 * Each delivery runs in its own command: the handler's writes and the inbox record commit
 * together, so a redelivery has no second effect.
 *
 * @example
 * export const catalogSubscriber = new Subscriber('catalog')
 *   .on(OrderAwaitingValidationV1, checkStockWhenOrderAwaitingValidation)
 */
export class Subscriber {
  readonly #subscriptions = new Map<string, Subscription>()

  constructor(readonly context: string) {}

  /** Subscribes to every version of `contract`'s event; the handler sees `contract`'s shape. */
  on<D>(contract: Contract<D, any>, handle: IntegrationHandler<D>): this {
    const key = `${contract.source}.${contract.name}`
    if (this.#subscriptions.has(key)) throw new Error(`${this.context} already handles ${key}`)
    if (!handle.name) throw new Error(`The ${this.context} handler for ${key} needs a name`)
    this.#subscriptions.set(key, { source: contract.source, name: contract.name, handlerName: handle.name, handle })
    return this
  }

  handlerFor(source: string, name: string): Subscription | undefined {
    return this.#subscriptions.get(`${source}.${name}`)
  }

  subscriptions(): Subscription[] {
    return [...this.#subscriptions.values()]
  }
}
