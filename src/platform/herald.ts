import { OpenAPIHono } from '@hono/zod-openapi'
import type { Client } from '@upstash/qstash'
import { bodyLimit } from 'hono/body-limit'
import { every } from 'hono/combine'
import {
  type Changeset,
  CommandRunner,
  ContractRegistry,
  Dispatcher,
  EventUpcasters,
  type EventShape,
  type HandlerContext,
  type Subscriber,
} from '../kernel/index.ts'
import type { AnyContext, ContextModule, ContextParts } from './context.ts'
import { checkComposition, checkHandlers, checkRoutes } from './composition-checks.ts'
import { type HeraldConfig, loadConfig } from './config.ts'
import { registerAdminRoutes } from './hono/admin.ts'
import { asyncApiDocument, registerAsyncApiRoute } from './hono/asyncapi.ts'
import { backpressure } from './hono/backpressure.ts'
import { authenticate } from './hono/auth.ts'
import type { RouteEnv } from './hono/context.ts'
import { registerDashboardRoutes } from './hono/dashboard/index.ts'
import { registerDocRoutes } from './hono/docs.ts'
import { registerEventRoutes } from './hono/events.ts'
import { invalidRequest, notFound, onError, problem } from './hono/problem.ts'
import { registerSchemaRoutes } from './hono/schema-registry.ts'
import { registerSubscriberRoutes } from './hono/subscribers.ts'
import { registerSystemRoutes } from './hono/system.ts'
import type { SignatureVerifier } from './hono/verify-signature.ts'
import { uuidv7 } from './ids.ts'
import { deliveries } from './messaging/deliveries.ts'
import type { Publisher } from './messaging/publisher.ts'
import { outboxRelay, type RelayOptions } from './messaging/relay.ts'
import { planUrlGroups } from './messaging/subscriptions.ts'
import { requestConsent } from './messaging/webhook-handshake.ts'
import { scrubText } from './telemetry/logger.ts'
import { createObservability } from './observability/index.ts'
import { reconcile } from './reconcile.ts'
import type { Database } from './store/database.ts'
import { eventStoreReader } from './store/event-store.ts'
import { scrubbingAfterErasure } from './store/erasure.ts'
import { personalDataVault, revealingReader } from './store/personal-data.ts'
import { outboxBacklog } from './store/outbox-backlog.ts'
import { sqlIdempotencyStore } from './store/idempotency-store.ts'
import { sqlJournal } from './store/journal.ts'
import {
  createLogger,
  heraldInstruments,
  type Logger,
  logRequests,
  observeOutbox,
  otelInstrumentation,
  traceDeliveries,
  traceRequests,
  tracedPublisher,
} from './telemetry/index.ts'
import { registerMetricsRoute } from './telemetry/metrics-route.ts'

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
  /** Where start-up warnings go (default `console.warn`). */
  readonly warn?: (message: string) => void
  /**
   * Spans and metrics go through `@opentelemetry/api` (no-ops until an entry registers an SDK,
   * see src/platform/telemetry/sdk.ts). `metrics`: renders Prometheus text for `GET /metrics`.
   */
  readonly telemetry?: { readonly metrics?: () => Promise<string> }
  /** Request lines, delivery outcomes and failures (default: warnings and errors as JSON lines on stderr). */
  readonly logger?: Logger
}

export interface MessagingOptions {
  /** Publishes outbox rows (QStash in production, the local broker in dev). */
  readonly publisher?: Publisher
  /** Checks `Upstash-Signature` on deliveries (the SDK's Receiver). */
  readonly verifier?: SignatureVerifier
  /** For admin: DLQ and URL groups. */
  readonly qstash?: Client
  /**
   * `immediate` (Bun, Deno): relay right after each commit. `deferred` (Workers): collect the
   * committed ids and let the runtime flush them in `waitUntil` after the response.
   */
  readonly relayMode?: 'immediate' | 'deferred'
  /** The host deliveries come from (QStash's): what the CloudEvents webhook handshake names. */
  readonly origin?: string
  /** Relay tuning (tests shorten the backoff). */
  readonly relay?: Partial<Pick<RelayOptions, 'leaseMs' | 'batchSize' | 'maxAttempts' | 'baseBackoffMs'>>
}

/**
 * Composes a service from bounded contexts: one Hono app, one dispatcher and command runner,
 * the outbox relay, inbound deliveries, reconcile, the URL-group plan and the dashboard. It
 * knows no context: each one declares itself (`defineContext`) and is handed in.
 *
 * @example
 * const herald = createHerald({ database, messaging, contexts: [shipping, billing] })
 * Bun.serve({ fetch: herald.app.fetch })
 */
export function createHerald(options: HeraldOptions) {
  const config: HeraldConfig = { ...loadConfig({}), ...options.config }
  const clock = options.clock ?? (() => new Date().toISOString())
  const newId = options.newId ?? uuidv7
  const { database, contexts } = options
  const warn = options.warn ?? ((message: string) => console.warn(`[herald] ${message}`))
  const logger = options.logger ?? createLogger({ level: 'warn' })

  const contracts = new ContractRegistry()
  checkComposition(contexts, contracts, warn)
  const upcasters = contexts.reduce((all, c) => (c.upcasters ? all.include(c.upcasters) : all), new EventUpcasters())
  const events = eventStoreReader(database, (event) => upcasters.upcast(event))
  // Events keep personal data sealed (replay and reconcile compare sealed strings); what shows them opens it.
  const personalData = personalDataVault(database, clock)

  // Instruments are made now: an entry registers its MeterProvider before composing.
  const instruments = heraldInstruments()
  const given = options.messaging ?? {}
  const messaging: MessagingOptions = given.publisher ? { ...given, publisher: tracedPublisher(given.publisher, instruments) } : given
  // Which event types go out in order per subject: known once the contexts are set up (below).
  let orderedTypes: ReadonlySet<string> | undefined
  const ordered = (type: string) => {
    orderedTypes ??= new Set(urlGroupPlan().flatMap((g) => (g.ordered ? [g.urlGroup] : [])))
    return orderedTypes.has(type)
  }
  // The bound on pending outbox rows (ARCHITECTURE §10): counted cheaply, refreshed when the relay drains.
  const backlog = config.outboxMaxPending > 0 ? outboxBacklog({ database, maxPending: config.outboxMaxPending }) : undefined
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
  // Deferred mode: what commits since the last flush, across every request of this isolate.
  const committedOutbox: string[] = []
  /** Immediate relays still publishing (a graceful stop waits for them). */
  const relaying = new Set<Promise<unknown>>()
  const onCommitted = (changeset: Changeset) => {
    const ids = changeset.outbox.map((m) => m.id)
    backlog?.added(ids.length)
    if (!relay) return
    if (messaging.relayMode === 'deferred') committedOutbox.push(...ids)
    // Not awaited on purpose: the rows are durable; if this publish dies with the process, the sweep publishes them.
    else {
      const publishing = relay
        .relayCommitted(changeset.outbox)
        .catch((error) => console.error(`[herald] immediate relay failed; the sweep will retry: ${scrubText(String((error as Error).message ?? error))}`))
      relaying.add(publishing)
      void publishing.finally(() => relaying.delete(publishing))
    }
  }

  const dispatcher = new Dispatcher<EventShape, HandlerContext>()
  const runner = new CommandRunner({
    dispatcher,
    // An erasing batch is followed by a scrub of the file and its WAL before the command returns.
    committer: scrubbingAfterErasure(database),
    journal: sqlJournal,
    clock,
    newId,
    checkIntegrationEvent: (event) => contracts.check(event),
    onCommitted,
    instrumentation: otelInstrumentation(instruments),
    ...(options.maxDepth === undefined ? {} : { maxDepth: options.maxDepth }),
  })
  const idempotency = sqlIdempotencyStore(database)

  const parts = new Map<string, ContextParts>()
  for (const context of contexts) {
    const before = dispatcher.registrations().length
    parts.set(context.name, context.setup({ database, runner, dispatcher, idempotency, events, personalData, clock, newId }))
    checkHandlers(context, dispatcher.registrations().slice(before), contexts)
  }
  const built = [...parts.values()]
  const subscribers: Subscriber[] = built.flatMap((p) => (p.subscriber ? [p.subscriber] : []))
  const inbound = deliveries({ database, runner, contracts, subscribers, dispatcher })
  const urlGroupPlan = () => planUrlGroups(subscribers, contracts, config.publicUrl)

  const app = new OpenAPIHono<RouteEnv>({
    defaultHook: (result, c) => (result.success ? undefined : invalidRequest(c, result.error, result.target)),
  })
  app.onError(onError)
  app.notFound(notFound)
  app.use('*', traceRequests())
  app.use('*', logRequests(logger))
  app.use('*', async (c, next) => {
    c.set('clock', clock)
    c.set('newId', newId)
    await next()
  })
  app.use('*', authenticate({ settings: config.auth, adminToken: config.adminToken }))
  app.use(
    '*',
    bodyLimit({
      maxSize: config.maxBodyBytes,
      onError: (c) =>
        problem(c, { title: 'Payload too large', status: 413, code: 'REQUEST.TOO_LARGE', detail: `Bodies are limited to ${config.maxBodyBytes} bytes` }),
    }),
  )
  if (backlog) app.use('*', backpressure(backlog))

  const aggregateContexts = Object.fromEntries(contexts.flatMap((c) => (c.aggregates ?? []).map((type) => [type, c.name])))
  const observability = createObservability({
    database,
    clock,
    urlGroups: urlGroupPlan,
    aggregateContexts,
    dashboards: built.flatMap((p) => (p.dashboard ? [p.dashboard] : [])),
    reveal: personalData.openDeep,
    serviceName: config.serviceName,
    peers: config.peers.map((url) => ({ url, ...(config.peerToken ? { token: config.peerToken } : {}) })),
  })
  const replayers = built.flatMap((p) => p.replayers ?? [])
  const runReconcile = (opts: Parameters<typeof reconcile>[1] = {}) =>
    reconcile({ database, events, replayers, clock, newId, ...(relay ? { sweep: relay.sweep } : {}) }, opts)

  registerSystemRoutes(app, database)
  registerEventRoutes(app, revealingReader(events, personalData))
  registerSchemaRoutes(app, contracts, config.publicUrl)
  registerAsyncApiRoute(app, () => asyncApiDocument(contracts, subscribers, config.publicUrl))
  registerSubscriberRoutes(app, {
    deliveries: inbound,
    verifier: messaging.verifier,
    publicUrl: config.publicUrl,
    origin: messaging.origin,
    recordDelivery: (kind) => every(traceDeliveries(kind, instruments, logger), observability.recordDeliveries(kind)),
  })
  registerAdminRoutes(app, {
    adminToken: config.adminToken,
    database,
    relay,
    qstash: messaging.qstash,
    reconcile: runReconcile,
    consent: (url) =>
      requestConsent(url, {
        origin: messaging.origin ?? new URL(config.publicUrl).host,
        strict: config.production,
        timeoutMs: config.handshakeTimeoutMs,
        ...(options.resolveHost ? { resolve: options.resolveHost } : {}),
      }),
  })
  const statuses = built.flatMap((p) => (p.dashboard?.subjects?.statuses ? [p.dashboard.subjects.statuses] : []))[0]
  registerDashboardRoutes(app, observability, statuses ? { statuses } : {})
  observeOutbox(instruments.meter, database, clock)
  if (options.telemetry?.metrics) registerMetricsRoute(app, { adminToken: config.adminToken, scrape: options.telemetry.metrics })
  const toolkitRoutes = app.routes.map((r) => ({ method: r.method, path: r.path }))
  checkRoutes(
    contexts.map((c) => ({ name: c.name, routes: parts.get(c.name)?.routes })),
    toolkitRoutes,
  )
  for (const part of built) if (part.routes) app.route('/', part.routes)
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
    async drain() {
      await Promise.allSettled([...relaying])
      if (relay) await relay.sweep()
    },
    /** Relays what deferred mode collected; the Worker calls this inside `waitUntil`. */
    flushRelay: async () => {
      const ids = committedOutbox.splice(0)
      if (relay && ids.length > 0) await relay.relay(ids)
    },
  }
}

export type Herald = ReturnType<typeof createHerald>
