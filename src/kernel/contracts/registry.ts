import type { z } from 'zod'
import { eventType, parseEventType } from '../addresses.ts'
import { HeraldError } from '../errors.ts'
import type { IntegrationEvent, NewIntegrationEvent } from '../integration-event.ts'

/**
 * A registered integration-event contract: one event name and major version, its owner, its
 * zod schema and, from v2 on, the pure upcaster from the previous version's data.
 *
 * @example
 * const BuyerRegisteredV2 = defineContract({
 *   source: 'ordering', name: 'BuyerRegistered', version: 2, description: 'A buyer joined',
 *   schema: z.object({ buyerId: z.string(), channel: z.string() }),
 *   upcast: (v1: { buyerId: string }) => ({ ...v1, channel: 'unknown' }),
 * })
 */
export interface Contract<D = unknown, P = unknown> {
  readonly source: string
  readonly name: string
  readonly version: number
  readonly description: string
  readonly schema: z.ZodType<D>
  /** Turns data of `version - 1` into this version's shape. Required from version 2. */
  readonly upcast?: (previous: P) => D
}

export function defineContract<D, P = unknown>(contract: Contract<D, P>): Contract<D, P> {
  if (contract.version > 1 && !contract.upcast) {
    throw new Error(`${contract.name}.v${contract.version} needs an upcaster from v${contract.version - 1}`)
  }
  return contract
}

/**
 * An integration event of `contract`'s name and version about `subject`, with data typed by the
 * contract; the unit of work stamps id, time, correlation and causation when it is published.
 *
 * @example
 * publish(newIntegrationEvent(OrderStockConfirmedV1, orderId, { orderId }))
 */
export function newIntegrationEvent<D>(contract: Contract<D, any>, subject: string, data: D, sequence?: number): NewIntegrationEvent<string, D> {
  return {
    source: contract.source,
    type: contract.name,
    version: contract.version,
    subject,
    data,
    ...(sequence === undefined ? {} : { sequence }),
  }
}

export class ContractViolation extends HeraldError {
  constructor(code: 'CONTRACT.UNKNOWN_TYPE' | 'CONTRACT.INVALID_DATA', message: string, details?: Record<string, unknown>) {
    super(code, message, 'unprocessable', details)
  }
}

/**
 * Every contract, by name and version. Consumers accept any still-registered version and get
 * the latest shape via the upcaster chain; producers are checked before anything is committed.
 */
export class ContractRegistry {
  readonly #contracts = new Map<string, Contract>()

  constructor(contracts: readonly Contract<any, any>[] = []) {
    for (const contract of contracts) this.register(contract)
  }

  register(contract: Contract<any, any>): this {
    const key = eventType(contract)
    if (this.#contracts.has(key)) throw new Error(`Contract ${key} is registered twice`)
    this.#contracts.set(key, contract)
    return this
  }

  all(): Contract[] {
    return [...this.#contracts.values()].sort((a, b) => eventType(a).localeCompare(eventType(b)))
  }

  get(source: string, name: string, version: number): Contract | undefined {
    return this.#contracts.get(eventType({ source, name, version }))
  }

  /** Validates an outgoing event against its contract; throws {@link ContractViolation}. */
  check(event: Pick<IntegrationEvent, 'source' | 'type' | 'version' | 'data'>): void {
    const contract = this.get(event.source, event.type, event.version)
    if (!contract) {
      throw new ContractViolation('CONTRACT.UNKNOWN_TYPE', `No contract ${event.source}.${event.type}.v${event.version}`)
    }
    this.#validate(contract, event.data)
  }

  /**
   * Reads incoming data of any registered version: validates it against its own version's schema,
   * then upcasts step by step to the latest version.
   */
  read(ceType: string, data: unknown): { contract: Contract; data: unknown } {
    const parsed = parseEventType(ceType)
    const contract = parsed && this.get(parsed.source, parsed.name, parsed.version)
    if (!parsed || !contract) throw new ContractViolation('CONTRACT.UNKNOWN_TYPE', `Unknown event type ${ceType}`)
    let current = this.#validate(contract, data)
    let latest = contract
    for (let next = this.get(latest.source, latest.name, latest.version + 1); next; next = this.get(next.source, next.name, next.version + 1)) {
      current = this.#validate(next, next.upcast!(current))
      latest = next
    }
    return { contract: latest, data: current }
  }

  #validate(contract: Contract, data: unknown): unknown {
    const result = contract.schema.safeParse(data)
    if (!result.success) {
      const issues = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
      throw new ContractViolation('CONTRACT.INVALID_DATA', `${eventType(contract)} data does not match its schema: ${issues.join('; ')}`, { issues })
    }
    return result.data
  }
}
