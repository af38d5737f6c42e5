import { CommandRunner, ContractRegistry, Dispatcher, EventUpcasters, type EventShape, type HandlerContext, type Subscriber } from '../kernel/index.ts'
import { checkComposition, producerCheck } from './composition-checks.ts'
import { heraldApp } from './compose/app.ts'
import { mountContextRoutes, setUpContexts } from './compose/contexts.ts'
import { relayAfterCommit } from './compose/relay-after-commit.ts'
import { registerToolkitRoutes } from './compose/routes.ts'
import { type HeraldConfig, loadConfig } from './config.ts'
import type { AnyContext, ContextModule } from './context.ts'
import { registerDocRoutes } from './hono/docs.ts'
import { uuidv7 } from './ids.ts'
import { deliveries } from './messaging/deliveries.ts'
import { outboxRelay } from './outbox/relay.ts'
import type { MessagingOptions } from './messaging/options.ts'
import { planUrlGroups } from './messaging/subscriptions.ts'
import { createObservability } from './observability/index.ts'
import { reconcile } from './reconcile.ts'
import type { Database } from './store/database.ts'
import { eventStoreReader } from './store/event-store.ts'
import { scrubbingAfterErasure } from './store/erasure.ts'
import { sqlIdempotencyStore } from './store/idempotency-store.ts'
import { sqlJournal } from './store/journal.ts'
import { outboxBacklog } from './outbox/backlog.ts'
import { personalDataVault, revealingReader } from './store/personal-data.ts'
import { createLogger, type HeraldInstruments, heraldInstruments, type Logger, observeOutbox, otelInstrumentation, tracedPublisher } from './telemetry/index.ts'

export interface HeraldOptions {
  readonly database: Database
  /** The bounded contexts this service runs. */
  readonly contexts: readonly AnyContext[]
  readonly config?: Partial<HeraldConfig>
  /** ISO-8601 clock; tests inject a fixed or stepping one. */
  readonly clock?: () => string
  readonly newId?: () => string
  /** Handler cascade depth limit (default 8). */
  readonly maxDepth?: number
  readonly messaging?: MessagingOptions
  /** A host's addresses (DNS), so a webhook subscription cannot point inside (Bun/Deno pass one; Workers check literal IPs). */
  readonly resolveHost?: (hostname: string) => Promise<readonly string[]>
  /**
   * Spans and metrics go through `@opentelemetry/api` (no-ops until an entry registers an SDK,
   * see src/platform/telemetry/sdk.ts). `metrics`: renders Prometheus text for `GET /metrics`.
   */
  readonly telemetry?: { readonly metrics?: () => Promise<string> }
  /** Request lines, delivery outcomes and failures (default: warnings and errors as JSON lines on stderr). */
  readonly logger?: Logger
}

export type { MessagingOptions } from './messaging/options.ts'

/**
 * Composes a service from bounded contexts: one Hono app, one dispatcher and command runner,
 * the outbox relay, inbound deliveries, reconcile, the URL-group plan and the dashboard. It
 * knows no context: each one declares itself (`defineContext`) and is handed in.
 *
 * @example
 * const herald = createHerald({ database, messaging, contexts: [shipping, billing] })
 * Bun.serve({ fetch: herald.app.fetch })
 *
 * Longer than 80 lines: the composition root. Its steps are named functions (heraldApp,
 * setUpContexts, relayAfterCommit, registerToolkitRoutes, mountContextRoutes); what stays here is
 * the order they depend on each other in and the surface the service gets back.
 */
export function createHerald(options: HeraldOptions) {
  const config: HeraldConfig = { ...loadConfig({}), ...options.config }
  const clock = options.clock ?? (() => new Date().toISOString())
  const newId = options.newId ?? uuidv7
  const { database, contexts } = options
  const logger = options.logger ?? createLogger({ level: 'warn' })

  const contracts = new ContractRegistry()
  const published = checkComposition(contexts, contracts)
  const upcasters = contexts.reduce((all, c) => (c.upcasters ? all.include(c.upcasters) : all), new EventUpcasters())
  const events = eventStoreReader(database, (event) => upcasters.upcast(event))
  // Events keep personal data sealed (replay and reconcile compare sealed strings); what shows them opens it.
  const personalData = personalDataVault(database, clock)

  // Instruments are made now: an entry registers its MeterProvider before composing.
  const instruments = heraldInstruments()
  const messaging = tracedMessaging(options.messaging ?? {}, instruments)
  // The bound on pending outbox rows (commands get 503 past it, so an unreachable broker cannot grow the outbox without limit).
  const backlog = config.outboxMaxPending > 0 ? outboxBacklog({ database, maxPending: config.outboxMaxPending }) : undefined
  // Which event types go out in order per subject is known once the contexts are set up (below).
  let orderedTypes: ReadonlySet<string> | undefined
  const ordered = (type: string) => {
    orderedTypes ??= new Set(urlGroupPlan().flatMap((g) => (g.ordered ? [g.urlGroup] : [])))
    return orderedTypes.has(type)
  }
  const relay = messaging.publisher
    ? outboxRelay({
        database,
        publisher: messaging.publisher,
        publicUrl: config.publicUrl,
        clock,
        ordered,
        shareAcrossCalls: messaging.relayMode !== 'deferred',
        onDrained: backlog?.invalidate,
        ...messaging.relay,
      })
    : undefined
  const afterCommit = relayAfterCommit(relay, messaging.relayMode, backlog)

  const dispatcher = new Dispatcher<EventShape, HandlerContext>()
  const runner = new CommandRunner({
    dispatcher,
    // An erasing batch is followed by a scrub of the file and its WAL before the command returns.
    committer: scrubbingAfterErasure(database),
    journal: sqlJournal,
    clock,
    newId,
    checkIntegrationEvent: producerCheck(published, contracts),
    onCommitted: afterCommit.onCommitted,
    instrumentation: otelInstrumentation(instruments),
    ...(options.maxDepth === undefined ? {} : { maxDepth: options.maxDepth }),
  })
  const idempotency = sqlIdempotencyStore(database)
  const { parts, built, subscribers } = setUpContexts(contexts, { database, runner, dispatcher, idempotency, events, personalData, clock, newId })
  const inbound = deliveries({ database, runner, contracts, subscribers, dispatcher })
  const urlGroupPlan = () => planUrlGroups(subscribers, contracts, config.publicUrl)

  const observability = createObservability({
    database,
    clock,
    urlGroups: urlGroupPlan,
    aggregateContexts: Object.fromEntries(contexts.flatMap((c) => (c.aggregates ?? []).map((type) => [type, c.name]))),
    dashboards: [...parts].flatMap(([context, p]) => (p.dashboard ? [{ ...p.dashboard, context }] : [])),
    reveal: personalData.openDeep,
    serviceName: config.serviceName,
    peers: config.peers.map((url) => ({ url, ...(config.peerToken ? { token: config.peerToken } : {}) })),
  })
  const replayers = built.flatMap((p) => p.replayers ?? [])
  const runReconcile = (opts: Parameters<typeof reconcile>[1] = {}) =>
    reconcile({ database, events, replayers, clock, newId, ...(relay ? { sweep: relay.sweep } : {}) }, opts)

  const app = heraldApp({ config, clock, newId, logger, ...(backlog ? { backlog } : {}) })
  registerToolkitRoutes(app, {
    config,
    database,
    shownEvents: revealingReader(events, personalData),
    contracts,
    subscribers,
    deliveries: inbound,
    verifier: messaging.verifier,
    qstash: messaging.qstash,
    origin: messaging.origin,
    relay,
    reconcile: runReconcile,
    observability,
    instruments,
    logger,
    resolveHost: options.resolveHost,
    metrics: options.telemetry?.metrics,
  })
  observeOutbox(instruments.meter, database, clock)
  mountContextRoutes(app, contexts, parts)
  // Last: the OpenAPI document lists every route mounted above, the contexts' included.
  registerDocRoutes(app)

  return {
    app,
    config,
    dispatcher,
    runner,
    contracts,
    events,
    personalData,
    relay,
    /** Pending outbox rows as the backpressure check sees them (undefined when `outboxMaxPending` is 0). */
    backlog,
    messaging,
    clock,
    newId,
    /** Delivery log, dashboard change feed and timeline reader (the event-flow dashboard at `/`). */
    observability,
    /** Inbound deliveries (what `/subscribers/:context` and `/internal/handlers/:name` run). */
    deliveries: inbound,
    /** The names of the contexts this service runs. */
    contexts: contexts.map((c) => c.name),
    /** A context's API, typed by its module. */
    api<Api>(context: ContextModule<Api, any>): Api {
      const part = parts.get(context.name)
      if (!part) throw new Error(`This service does not run the ${context.name} context`)
      return part.api as Api
    },
    /** A context's integration-event subscriber, by context name. */
    subscriber(name: string): Subscriber | undefined {
      return parts.get(name)?.subscriber
    },
    /** Every context's seed data (idempotent). */
    async seed() {
      for (const part of built) await part.seed?.()
    },
    reconcile: runReconcile,
    /** The URL groups our subscribers need (synced to QStash at start-up). */
    urlGroupPlan,
    /** For a graceful stop: lets the immediate relays finish, then publishes what is still due once. */
    drain: afterCommit.drain,
    /** Relays what deferred mode collected; the Worker calls this inside `waitUntil`. */
    flushRelay: afterCommit.flush,
  }
}

/** The publisher wrapped so every publish is timed and counted. */
function tracedMessaging(given: MessagingOptions, instruments: HeraldInstruments): MessagingOptions {
  return given.publisher ? { ...given, publisher: tracedPublisher(given.publisher, instruments) } : given
}

export type Herald = ReturnType<typeof createHerald>
