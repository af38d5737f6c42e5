import { OpenAPIHono } from '@hono/zod-openapi'
import { bodyLimit } from 'hono/body-limit'
import { registerDocRoutes } from '../../routes/docs.ts'
import { registerEventRoutes } from '../../routes/events.ts'
import { registerOrderRoutes } from '../../routes/orders.ts'
import { registerSystemRoutes } from '../../routes/system.ts'
import type { RouteEnv } from '../../routes/support/context.ts'
import { invalidRequest, notFound, onError, problem } from '../../routes/support/problem.ts'
import { requireJson } from '../../routes/support/require-json.ts'
import type { Client } from '@upstash/qstash'
import { registerAdminRoutes } from '../../routes/admin.ts'
import { asyncApiDocument, registerAsyncApiRoute } from '../../routes/asyncapi.ts'
import { registerCatalogAndNotificationRoutes } from '../../routes/catalog.ts'
import { registerSchemaRoutes } from '../../routes/schemas.ts'
import { registerSubscriberRoutes } from '../../routes/subscribers.ts'
import { registerDashboardRoutes } from '../../routes/dashboard/index.ts'
import { createObservability } from './observability/index.ts'
import type { SignatureVerifier } from '../../routes/support/verify-signature.ts'
import { createCatalog } from '../catalog/catalog.ts'
import { contracts } from '../contracts/index.ts'
import { type Changeset, CommandRunner, Dispatcher, type HandlerContext } from '../kernel/index.ts'
import { createNotifications } from '../notifications/notifications.ts'
import { orderingUpcasters } from '../ordering/domain/upcasters.ts'
import { orderingReplayers } from '../ordering/infrastructure/replayers.ts'
import { reconcile } from './reconcile.ts'
import { createPayment } from '../payment/payment.ts'
import { deliveries } from './messaging/deliveries.ts'
import type { Publisher } from './messaging/publisher.ts'
import { outboxRelay, type RelayOptions } from './messaging/relay.ts'
import { planUrlGroups } from './messaging/subscriptions.ts'
import { createOrdering } from '../ordering/index.ts'
import { type HeraldConfig, loadConfig } from './config.ts'
import { uuidv7 } from './ids.ts'
import type { Database } from './store/database.ts'
import { eventStoreReader } from './store/event-store.ts'
import { sqlIdempotencyStore } from './store/idempotency-store.ts'
import { sqlJournal } from './store/journal.ts'

export interface HeraldOptions {
  readonly database: Database
  readonly config?: Partial<HeraldConfig>
  /** ISO-8601 clock; tests inject a fixed or stepping one. */
  readonly clock?: () => string
  readonly newId?: () => string
  /** Handler cascade depth limit (default 8). */
  readonly maxDepth?: number
  readonly messaging?: MessagingOptions
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
  /** Relay tuning (tests shorten the backoff). */
  readonly relay?: Partial<Pick<RelayOptions, 'leaseMs' | 'batchSize' | 'maxAttempts' | 'baseBackoffMs'>>
}

/**
 * The composition root: one Hono app, the shared dispatcher and command runner, and every
 * bounded context wired to them. Runtime entries (Bun, Worker, Deno) only add I/O around it.
 */
export function createHerald(options: HeraldOptions) {
  const config: HeraldConfig = { ...loadConfig({}), ...options.config }
  const clock = options.clock ?? (() => new Date().toISOString())
  const newId = options.newId ?? uuidv7
  const { database } = options

  const messaging = options.messaging ?? {}
  const relay = messaging.publisher
    ? outboxRelay({ database, publisher: messaging.publisher, publicUrl: config.publicUrl, clock, ...messaging.relay })
    : undefined
  const committedOutbox: string[] = []
  const onCommitted = (changeset: Changeset) => {
    const ids = changeset.outbox.map((m) => m.id)
    if (!relay) return
    if (messaging.relayMode === 'deferred') committedOutbox.push(...ids)
    // Not awaited on purpose: the rows are durable; if this publish dies with the process, the sweep publishes them.
    else void relay.relay(ids).catch((error) => console.error('[herald] immediate relay failed; the sweep will retry', error))
  }

  const dispatcher = new Dispatcher<any, HandlerContext>()
  const runner = new CommandRunner({
    dispatcher,
    committer: database.committer,
    journal: sqlJournal,
    clock,
    newId,
    checkIntegrationEvent: (event) => contracts.check(event),
    onCommitted,
    ...(options.maxDepth === undefined ? {} : { maxDepth: options.maxDepth }),
  })
  const ordering = createOrdering({
    database,
    gracePeriodMs: config.gracePeriodMs,
    runner,
    dispatcher,
    idempotency: sqlIdempotencyStore(database),
  })
  const catalog = createCatalog({ database })
  const payment = createPayment({ database })
  const notifications = createNotifications({ database, newId })
  const subscribers = [ordering.subscriber, catalog.subscriber, payment.subscriber, notifications.subscriber]
  const inbound = deliveries({ database, runner, contracts, subscribers, dispatcher })
  const events = eventStoreReader(database, (event) => orderingUpcasters.upcast(event))

  const app = new OpenAPIHono<RouteEnv>({
    defaultHook: (result, c) => (result.success ? undefined : invalidRequest(c, result.error, result.target)),
  })
  app.onError(onError)
  app.notFound(notFound)
  app.use('*', async (c, next) => {
    c.set('clock', clock)
    c.set('newId', newId)
    await next()
  })
  app.use(
    '*',
    bodyLimit({
      maxSize: config.maxBodyBytes,
      onError: (c) =>
        problem(c, {
          title: 'Payload too large',
          status: 413,
          code: 'REQUEST.TOO_LARGE',
          detail: `Bodies are limited to ${config.maxBodyBytes} bytes`,
        }),
    }),
  )
  app.on('POST', '/orders', requireJson)

  registerSystemRoutes(app, database)
  registerOrderRoutes(app, ordering)
  registerEventRoutes(app, events, ordering)
  registerCatalogAndNotificationRoutes(app, catalog, notifications)
  registerSchemaRoutes(app, contracts, config.publicUrl)
  registerAsyncApiRoute(app, () => asyncApiDocument(contracts, subscribers, config.publicUrl))
  const observability = createObservability({ database, clock, urlGroups: () => planUrlGroups(subscribers, contracts, config.publicUrl) })
  registerSubscriberRoutes(app, { deliveries: inbound, verifier: messaging.verifier, publicUrl: config.publicUrl, recordDelivery: observability.recordDeliveries })
  const runReconcile = (opts: Parameters<typeof reconcile>[1] = {}) =>
    reconcile(
      { database, events, replayers: orderingReplayers(database.db), clock, newId, ...(relay ? { sweep: relay.sweep } : {}) },
      opts,
    )
  registerAdminRoutes(app, { adminToken: config.adminToken, database, relay, qstash: messaging.qstash, reconcile: runReconcile })
  registerDashboardRoutes(app, observability)
  registerDocRoutes(app)

  return {
    /** Delivery log, dashboard change feed and timeline reader (the event-flow dashboard at `/`). */
    observability,
    app,
    config,
    dispatcher,
    runner,
    contracts,
    ordering,
    catalog,
    payment,
    notifications,
    events,
    relay,
    messaging,
    clock,
    newId,
    reconcile: runReconcile,
    /** The URL groups our subscribers need (synced to QStash at start-up). */
    urlGroupPlan: () => planUrlGroups(subscribers, contracts, config.publicUrl),
    /** Relays what deferred mode collected; the Worker calls this inside `waitUntil`. */
    flushRelay: async () => {
      const ids = committedOutbox.splice(0)
      if (relay && ids.length > 0) await relay.relay(ids)
    },
  }
}

export type Herald = ReturnType<typeof createHerald>
