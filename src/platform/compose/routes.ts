import type { OpenAPIHono } from '@hono/zod-openapi'
import type { Client } from '@upstash/qstash'
import { every } from 'hono/combine'
import type { ContractRegistry, Subscriber } from '../../kernel/index.ts'
import type { HeraldConfig } from '../config.ts'
import { registerAdminRoutes } from '../hono/admin.ts'
import { asyncApiDocument, registerAsyncApiRoute } from '../hono/asyncapi.ts'
import type { RouteEnv } from '../hono/context.ts'
import { registerDashboardRoutes } from '../hono/dashboard/index.ts'
import { registerEventRoutes } from '../hono/events.ts'
import { registerSchemaRoutes } from '../hono/schema-registry.ts'
import { registerSubscriberRoutes } from '../hono/subscribers.ts'
import { registerSystemRoutes } from '../hono/system.ts'
import type { SignatureVerifier } from '../hono/verify-signature.ts'
import type { Deliveries } from '../messaging/deliveries.ts'
import type { OutboxRelay } from '../outbox/relay.ts'
import { requestConsent } from '../messaging/webhook-handshake.ts'
import type { Observability } from '../observability/index.ts'
import type { Database } from '../store/database.ts'
import type { EventStoreReader } from '../store/event-store.ts'
import { type HeraldInstruments, type Logger, traceDeliveries } from '../telemetry/index.ts'
import { registerMetricsRoute } from '../telemetry/metrics-route.ts'

export interface ToolkitRouteDeps {
  readonly config: HeraldConfig
  readonly database: Database
  /** The event store's read side with personal data opened (what `/events` shows). */
  readonly shownEvents: EventStoreReader
  readonly contracts: ContractRegistry
  readonly subscribers: readonly Subscriber[]
  readonly deliveries: Deliveries
  readonly verifier: SignatureVerifier | undefined
  readonly qstash: Client | undefined
  /** The host deliveries come from (QStash's): what the CloudEvents webhook handshake names. */
  readonly origin: string | undefined
  readonly relay: OutboxRelay | undefined
  readonly reconcile: Parameters<typeof registerAdminRoutes>[1]['reconcile']
  readonly observability: Observability
  readonly instruments: HeraldInstruments
  readonly logger: Logger
  readonly resolveHost: ((hostname: string) => Promise<readonly string[]>) | undefined
  readonly metrics: (() => Promise<string>) | undefined
}

/** The toolkit's own routes: health, events, schemas, AsyncAPI, deliveries, admin, dashboard, metrics. */
export function registerToolkitRoutes(app: OpenAPIHono<RouteEnv>, deps: ToolkitRouteDeps): void {
  const { config, observability } = deps
  registerSystemRoutes(app, deps.database)
  registerEventRoutes(app, deps.shownEvents)
  registerSchemaRoutes(app, deps.contracts, config.publicUrl)
  registerAsyncApiRoute(app, () => asyncApiDocument(deps.contracts, deps.subscribers, config.publicUrl))
  registerSubscriberRoutes(app, {
    deliveries: deps.deliveries,
    verifier: deps.verifier,
    publicUrl: config.publicUrl,
    origin: deps.origin,
    recordDelivery: (kind) =>
      every(
        traceDeliveries(kind, deps.instruments, deps.logger, (name) => deps.deliveries.knows(kind, name)),
        observability.recordDeliveries(kind),
      ),
  })
  registerAdminRoutes(app, {
    adminToken: config.adminToken,
    database: deps.database,
    relay: deps.relay,
    qstash: deps.qstash,
    reconcile: deps.reconcile,
    consent: (url) =>
      requestConsent(url, {
        origin: deps.origin ?? new URL(config.publicUrl).host,
        strict: config.production,
        timeoutMs: config.handshakeTimeoutMs,
        ...(deps.resolveHost ? { resolve: deps.resolveHost } : {}),
      }),
  })
  registerDashboardRoutes(app, observability)
  if (deps.metrics) registerMetricsRoute(app, { adminToken: config.adminToken, scrape: deps.metrics })
}
