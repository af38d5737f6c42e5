import type { Hono } from 'hono'
import { getTableName, is } from 'drizzle-orm'
import { SQLiteTable } from 'drizzle-orm/sqlite-core'
import type { CommandRunner, Contract, Dispatcher, EventShape, EventUpcasters, HandlerContext, IdempotencyStore, Subscriber } from '../kernel/index.ts'
import type { RouteEnv } from './hono/context.ts'
import type { ContextDashboard } from './observability/timeline.ts'
import type { Replayer } from './reconcile.ts'
import type { Database } from './store/database.ts'
import type { EventStoreReader } from './store/event-store.ts'
import type { PersonalDataVault } from './store/personal-data.ts'

/** What the toolkit hands a context when a service composes it. */
export interface ContextDeps<E extends EventShape = EventShape> {
  readonly database: Database
  readonly runner: CommandRunner
  /** Register this context's domain-event handlers here (both phases). */
  readonly dispatcher: Dispatcher<E, HandlerContext>
  readonly idempotency: IdempotencyStore
  /** The event store's read side, upcasting with every context's upcasters. */
  readonly events: EventStoreReader
  /** Seals personal data with its subject's key and opens it for display; erasing the key shreds it (one vault per service). */
  readonly personalData: PersonalDataVault
  readonly clock: () => string
  readonly newId: () => string
}

/** What a context builds once its dependencies exist. */
export interface ContextParts<Api = unknown> {
  /** Its integration-event handlers (one QStash endpoint: `/subscribers/<name>`). */
  readonly subscriber?: Subscriber
  /** Its HTTP routes, a sub-app the service mounts at `/` (build it with `contextRoutes()`). */
  readonly routes?: Hono<RouteEnv>
  /** How reconcile rebuilds its aggregates from their streams. */
  readonly replayers?: readonly Replayer[]
  /** Demo or reference data, written idempotently at start-up. */
  readonly seed?: () => Promise<void>
  /** What the event-flow dashboard may show of it. */
  readonly dashboard?: ContextDashboard
  /** Its commands and queries, for the service, the tests and the routes. */
  readonly api: Api
}

/**
 * A bounded context as one module: everything it brings, declared in one place. Nothing outside
 * the module lists its tables, handlers, contracts or routes again.
 */
export interface ContextModule<Api = unknown, E extends EventShape = EventShape> {
  readonly name: string
  /** Its drizzle tables: it owns them, and no other context may claim one. */
  readonly schema?: Readonly<Record<string, unknown>>
  /**
   * Its drizzle-kit migrations folder (a `file:` URL or a path), asked for only when migrating (a
   * Worker never migrates, and has no `import.meta.url` to resolve one against).
   */
  readonly migrations?: () => URL | string
  /** The domain-event types its aggregates record (a handler for any other type is a start-up error). */
  readonly records?: readonly E['type'][]
  /** Aggregate types whose streams it owns (shown under its name on the dashboard). */
  readonly aggregates?: readonly string[]
  /** The integration-event contracts it publishes; each must name this context as its source. */
  readonly publishes?: readonly Contract<any, any>[]
  /** Older versions of what it consumes, so they can still be read and upcast. */
  readonly consumes?: readonly Contract<any, any>[]
  /** Its stored-event upcasters (the event store's read side). */
  readonly upcasters?: EventUpcasters
  readonly setup: (deps: ContextDeps<E>) => ContextParts<Api>
}

/** Any context, whatever its API and events (the composition only needs the shape). */
export type AnyContext = ContextModule<any, any>

/**
 * Declares a bounded context.
 *
 * @example
 * export const shipping = defineContext({
 *   name: 'shipping',
 *   schema: { shipments },
 *   migrations: () => new URL('./migrations', import.meta.url),
 *   publishes: [ShipmentDispatchedV1],
 *   setup: ({ database, runner }) => ({ subscriber, routes, api: { dispatch } }),
 * })
 */
export function defineContext<Api, E extends EventShape = EventShape>(module: ContextModule<Api, E>): ContextModule<Api, E> {
  return Object.freeze({ ...module })
}

/**
 * Pairs a context with its HTTP routes, in the composition root (Hono's `app.route`): the context
 * module never imports its routes; the routes are built from the API the context returns.
 *
 * @example
 * createHerald({ database, contexts: [withRoutes(shipping, shippingRoutes), billing] })
 */
export function withRoutes<Api, E extends EventShape>(context: ContextModule<Api, E>, routes: (api: Api) => Hono<RouteEnv>): ContextModule<Api, E> {
  return defineContext({
    ...context,
    setup: (deps) => {
      const parts = context.setup(deps)
      return { ...parts, routes: routes(parts.api) }
    },
  })
}

/** The tables a drizzle schema object declares, by SQL name. */
export function tablesOf(schema: Readonly<Record<string, unknown>> | undefined): string[] {
  return Object.values(schema ?? {})
    .filter((value) => is(value, SQLiteTable))
    .map((table) => getTableName(table as SQLiteTable))
}
