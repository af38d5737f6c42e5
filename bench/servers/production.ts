import { Hono } from 'hono'
import { createRemoteJWKSet, jwtVerify } from 'jose'
import { StartOrderBody } from '../../routes/ordering/orders.schemas.ts'
import { type Database, openDatabase } from '../../src/platform/store/database.ts'
import { loggerFromEnv } from '../../src/platform/telemetry/logger.ts'
import { startTelemetry } from '../../src/platform/telemetry/sdk.ts'
import { createReferenceHerald, migrateReferenceDatabase } from '../../src/service/app.ts'
import { applyExperiments } from '../experiments/index.ts'
import { BENCH_AUDIENCE, BENCH_ISSUER } from '../harness/identity.ts'
import type { ServerSpec } from '../harness/process.ts'
import { commitBareOrder, openBareDatabase } from './bare.ts'
import type { ServerUnderTest } from './server.ts'

/**
 * The reference service configured as production runs it (what `src/service/bun.ts` does with
 * `NODE_ENV=production`), minus messaging: every route but the public ones wants a bearer JWT
 * verified against `AUTH_JWKS_URL`; the OTel SDK registered by `startTelemetry` from the standard
 * variables (OTLP/HTTP to the bench's receiver, the default `parentbased_always_on` sampler, the
 * default batch span processor); a JSON request line per request on stdout at `info`; the vault
 * seals each new buyer's personal data as always. No publisher, and the outbox bound off, as in
 * figure 1: nothing relays here, so the bound would refuse every command after 10,000.
 */
export async function heraldProductionServer(spec: Extract<ServerSpec, { kind: 'herald-production' }>, publicUrl: string): Promise<ServerUnderTest> {
  const { herald, database, telemetry } = await productionHerald(spec, publicUrl)
  return {
    fetch: herald.app.fetch,
    async close() {
      // Flushes the spans still buffered, so the receiver's count is complete when the figure reads it.
      await telemetry.shutdown()
      database.close()
    },
  }
}

/** The production-shaped Herald itself (breakdown.ts runs it in-process, `wrap`ping the database to time its commits). */
export async function productionHerald(
  spec: Omit<Extract<ServerSpec, { kind: 'herald-production' }>, 'kind'>,
  publicUrl: string,
  wrap: (database: Database) => Database = (database) => database,
) {
  const env = { NODE_ENV: 'production', OTEL_EXPORTER_OTLP_ENDPOINT: spec.otlpUrl, OTEL_SERVICE_NAME: 'herald-bench' }
  const telemetry = startTelemetry(env, { serviceName: 'herald-bench' })
  const logger = loggerFromEnv(env)
  const opened = openDatabase({ url: `file:${spec.dbPath}` })
  await migrateReferenceDatabase(opened)
  const database = applyExperiments(opened, spec.experiments ?? [], spec.dbPath)
  const herald = createReferenceHerald({
    database: wrap(database),
    config: {
      publicUrl,
      production: true,
      adminToken: 'bench-admin-token-production-0123456789',
      outboxMaxPending: 0,
      auth: { jwksUrl: spec.jwksUrl, issuer: BENCH_ISSUER, audience: BENCH_AUDIENCE, operatorScope: 'herald:operator' },
    },
    telemetry: { metrics: telemetry.scrape },
    logger,
  })
  return { herald, database, telemetry }
}

/**
 * What a user writes without Herald, with auth: figure 1's bare route behind jose's `jwtVerify`
 * against `createRemoteJWKSet` (the same JWKS, issuer, audience and algorithm), the buyer being the
 * token's subject. No telemetry, no request log.
 */
export async function bareAuthOrdersServer(spec: Extract<ServerSpec, { kind: 'bare-auth-orders' }>): Promise<ServerUnderTest> {
  const { client, db } = await openBareDatabase(spec.dbPath)
  return { fetch: bareAuthOrdersApp(db, spec.jwksUrl).fetch, close: () => client.close() }
}

export function bareAuthOrdersApp(db: Awaited<ReturnType<typeof openBareDatabase>>['db'], jwksUrl: string): Hono {
  const jwks = createRemoteJWKSet(new URL(jwksUrl))
  const app = new Hono()
  app.post('/orders', async (c) => {
    const [scheme, token] = (c.req.header('authorization') ?? '').split(' ')
    if (scheme?.toLowerCase() !== 'bearer' || !token) return c.json({ error: 'unauthorized' }, 401)
    const verified = await jwtVerify(token, jwks, { issuer: BENCH_ISSUER, audience: BENCH_AUDIENCE, algorithms: ['RS256'] }).catch(() => undefined)
    if (!verified) return c.json({ error: 'unauthorized' }, 401)
    const parsed = StartOrderBody.safeParse(await c.req.json())
    if (!parsed.success) return c.json({ error: parsed.error.issues }, 400)
    if (parsed.data.buyer.id !== verified.payload.sub) return c.json({ error: 'forbidden' }, 403)
    const orderId = await commitBareOrder(db, parsed.data)
    c.header('Location', `/orders/${orderId}`)
    return c.json({ orderId, status: 'submitted' }, 201)
  })
  return app
}

/**
 * A stand-in for an OpenTelemetry Collector's OTLP/HTTP receiver (no Collector can be installed
 * here): accepts `POST /v1/traces` and `/v1/metrics` as JSON, answers `{}` and counts what came.
 * It runs in a process of its own, as a Collector would, sharing the machine with the server.
 */
export function otlpReceiverServer(): ServerUnderTest {
  const counts = { traceExports: 0, spans: 0, metricExports: 0, bytes: 0 }
  return {
    async fetch(request) {
      const path = new URL(request.url).pathname
      const body = await request.text()
      counts.bytes += body.length
      if (path === '/v1/traces') {
        counts.traceExports++
        counts.spans += occurrences(body, '"spanId"')
      } else if (path === '/v1/metrics') counts.metricExports++
      else return new Response('not found', { status: 404 })
      return Response.json({})
    },
    control: (path) => (path === 'counts' ? { ...counts } : undefined),
    close() {},
  }
}

/** How often `needle` occurs in `text` (a span's own id key; `parentSpanId` does not match it). */
function occurrences(text: string, needle: string): number {
  let count = 0
  for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + needle.length)) count++
  return count
}
