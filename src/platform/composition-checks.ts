import type { Hono } from 'hono'
import { type Contract, type ContractRegistry, ContractViolation, eventType, type IntegrationEvent, isContextName, type Registration } from '../kernel/index.ts'
import { type AnyContext, tablesOf } from './context.ts'
import type { RouteEnv } from './hono/context.ts'
import * as toolkitSchema from './store/tables.ts'

/** A composition mistake, found before the first request and naming the context at fault. */
export class CompositionError extends Error {
  override readonly name = 'CompositionError'
}

/** The toolkit's own tables, as its drizzle schema declares them: no context may claim one. */
const TOOLKIT_TABLES = new Set(tablesOf(toolkitSchema))

/**
 * Checks what the contexts declare, and registers their contracts: unique valid names, tables
 * owned once and migrated, contracts published by the context they name. A subscription to an
 * event that no context here publishes is legitimate across services (another service may
 * publish it); when the publisher's context runs here and does not list it, one of the two is
 * wrong, and the service refuses to start. Returns the contracts the contexts publish.
 */
export function checkComposition(contexts: readonly AnyContext[], contracts: ContractRegistry): ReadonlyMap<string, Contract> {
  const names = new Set<string>()
  const owners = new Map<string, string>()
  for (const context of contexts) {
    if (!isContextName(context.name)) throw new CompositionError(`Context name "${context.name}" must be lowercase letters, digits and dashes`)
    if (names.has(context.name)) throw new CompositionError(`Two contexts are named "${context.name}"`)
    names.add(context.name)
    const tables = tablesOf(context.schema)
    if (tables.length > 0 && !context.migrations) {
      throw new CompositionError(`Context ${context.name} declares tables (${tables.join(', ')}) but no \`migrations\` folder to create them`)
    }
    for (const table of tables) {
      if (TOOLKIT_TABLES.has(table)) throw new CompositionError(`Context ${context.name} claims the toolkit's table ${table}`)
      const owner = owners.get(table)
      if (owner) throw new CompositionError(`Contexts ${owner} and ${context.name} both claim the table ${table}`)
      owners.set(table, context.name)
    }
  }
  const published = new Map<string, Contract>()
  for (const context of contexts) {
    for (const contract of context.publishes ?? []) {
      if (contract.source !== context.name) {
        throw new CompositionError(`Context ${context.name} publishes ${eventType(contract)}, which belongs to the ${contract.source} context`)
      }
      register(contracts, contract, context.name)
      published.set(eventType(contract), contract)
    }
  }
  for (const context of contexts) {
    for (const contract of context.consumes ?? []) {
      const type = eventType(contract)
      if (!published.has(type) && names.has(contract.source)) {
        throw new CompositionError(
          `Context ${context.name} consumes ${type}, but the ${contract.source} context here does not list it in \`publishes\` (list it there, or stop consuming it)`,
        )
      }
      register(contracts, contract, context.name)
    }
  }
  return published
}

/**
 * A producer's contract mistake — publishing a contract its context does not list in
 * `publishes`, or data that breaks the contract — is a bug in this service, not the caller's
 * request: the command fails as a 500 (logged with this message), and a delivery that hit it is
 * retried and dead-lettered, never acknowledged.
 */
export class PublishedContractError extends Error {
  override readonly name = 'PublishedContractError'
  constructor(
    readonly code: 'CONTRACT.UNDECLARED' | 'CONTRACT.UNKNOWN_TYPE' | 'CONTRACT.INVALID_DATA',
    message: string,
  ) {
    super(message)
  }
}

/** Checks an outgoing integration event: declared by its context here, and valid for its contract. */
export function producerCheck(published: ReadonlyMap<string, Contract>, contracts: ContractRegistry) {
  return function checkPublished(event: IntegrationEvent): void {
    const type = eventType({ source: event.source, name: event.type, version: event.version })
    if (!published.has(type)) {
      throw new PublishedContractError(
        'CONTRACT.UNDECLARED',
        `${event.source} published ${type}, which no context here lists in \`publishes\` (add the contract to the ${event.source} context's \`publishes\`)`,
      )
    }
    try {
      contracts.check(event)
    } catch (error) {
      if (!(error instanceof ContractViolation)) throw error
      throw new PublishedContractError(error.code as 'CONTRACT.INVALID_DATA', `${event.source} published an invalid ${type}: ${error.message}`)
    }
  }
}

/** The same contract may be listed by its publisher and its consumers; two different ones under one type may not. */
function register(contracts: ContractRegistry, contract: Contract, context: string): void {
  const existing = contracts.get(contract.source, contract.name, contract.version)
  if (existing === contract) return
  if (existing) throw new CompositionError(`Context ${context} brings a second, different contract for ${eventType(contract)}`)
  contracts.register(contract)
}

/** A handler for an event type no context records would never run: an error, with the context's name. */
export function checkHandlers(
  context: AnyContext,
  registered: readonly Pick<Registration<unknown>, 'name' | 'eventType'>[],
  contexts: readonly AnyContext[],
): void {
  const recorded = new Set(contexts.flatMap((c) => c.records ?? []))
  for (const registration of registered) {
    if (!recorded.has(registration.eventType)) {
      throw new CompositionError(
        `Context ${context.name} registers ${registration.name} for ${registration.eventType}, which no context records (list it in a context's \`records\`)`,
      )
    }
  }
}

/** Two contexts (or a context and the toolkit) answering one method and path is an error. */
export function checkRoutes(
  contexts: readonly { name: string; routes: Hono<RouteEnv> | undefined }[],
  toolkit: readonly { method: string; path: string }[],
): void {
  const owners = new Map<string, string>()
  const key = (r: { method: string; path: string }) => `${r.method} ${r.path.replace(/:[^/]+/g, ':')}`
  for (const route of toolkit) if (route.method !== 'ALL') owners.set(key(route), 'the toolkit')
  for (const { name, routes } of contexts) {
    const own = new Set<string>()
    for (const route of routes?.routes ?? []) {
      if (route.method === 'ALL') continue // middleware
      const k = key(route)
      if (own.has(k)) continue
      own.add(k)
      const owner = owners.get(k)
      if (owner) throw new CompositionError(`Context ${name} and ${owner} both answer ${route.method} ${route.path}`)
      owners.set(k, `context ${name}`)
    }
  }
}
