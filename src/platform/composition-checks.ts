import type { Hono } from 'hono'
import { type Contract, type ContractRegistry, eventType, isContextName, type Registration } from '../kernel/index.ts'
import { type AnyContext, tablesOf } from './context.ts'
import type { RouteEnv } from './hono/context.ts'

/** A composition mistake, found before the first request and naming the context at fault. */
export class CompositionError extends Error {
  override readonly name = 'CompositionError'
}

/** The toolkit's own tables: no context may claim one. */
const TOOLKIT_TABLES = new Set(['domain_events', 'outbox', 'idempotency_keys', 'inbox', 'occ_guard', 'delivery_log', 'personal_data_keys'])

/**
 * Checks what the contexts declare, and registers their contracts: unique valid names, tables
 * owned once, contracts published by the context they name. A subscription to an event that no
 * context publishes is legitimate across services (another service may publish it), so it only
 * warns when the publisher's context runs here.
 */
export function checkComposition(contexts: readonly AnyContext[], contracts: ContractRegistry, warn: (message: string) => void): void {
  const names = new Set<string>()
  const owners = new Map<string, string>()
  for (const context of contexts) {
    if (!isContextName(context.name)) throw new CompositionError(`Context name "${context.name}" must be lowercase letters, digits and dashes`)
    if (names.has(context.name)) throw new CompositionError(`Two contexts are named "${context.name}"`)
    names.add(context.name)
    for (const table of tablesOf(context.schema)) {
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
        warn(`${context.name} consumes ${type}, but the ${contract.source} context here does not publish it`)
      }
      register(contracts, contract, context.name)
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
