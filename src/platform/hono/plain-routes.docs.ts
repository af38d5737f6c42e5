import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi'
import { Subscription } from './admin.ts'
import { jsonResponse, problemResponse } from './schemas.ts'

// The schema registry, QStash deliveries and admin routes are plain Hono routes: deliveries must
// read the raw body before anything parses it (the signature covers the exact bytes) and answer in
// QStash's status codes, and admin proxies the broker. They are documented here instead, and
// test/contracts/documents.test.ts fails when a route exists that /openapi.json does not describe.

const admin = [{ adminToken: [] }]
const unauthorized = problemResponse('Missing or wrong admin token (`WWW-Authenticate: Bearer`)')
const noBroker = problemResponse('No QStash client is configured')

const SchemaSummary = z.object({
  type: z.string().openapi({ example: 'herald.ordering.OrderStatusChangedToPaid' }),
  version: z.int(),
  cloudEventType: z.string().openapi({ example: 'herald.ordering.OrderStatusChangedToPaid.v1' }),
  source: z.string(),
  description: z.string(),
  dataschema: z.url(),
})

const Delivered = z.object({ status: z.enum(['processed', 'duplicate']) })
const signature = z.object({
  'upstash-signature': z.string().openapi({ description: 'QStash JWT (HS256) over the exact body, `sub` = this URL' }),
})
const deliveryResponses = {
  200: jsonResponse(Delivered, 'Handled, or already handled before (a duplicate delivery has one effect)'),
  401: problemResponse('Missing, forged, expired or mis-addressed signature'),
  409: problemResponse('A concurrent delivery is being handled; QStash retries'),
  489: {
    ...problemResponse('Can never succeed (invalid CloudEvent, unknown type, contract violation): `Upstash-NonRetryable-Error: true` sends it to the DLQ'),
    headers: z.object({ 'Upstash-NonRetryable-Error': z.literal('true') }),
  },
  500: problemResponse('The handler failed; QStash retries with backoff'),
}

const OutboxMessage = z.object({
  id: z.string(),
  kind: z.enum(['integration', 'after-commit']),
  topic: z.string(),
  status: z.enum(['pending', 'published', 'failed']),
  attempts: z.int(),
  nextAttemptAt: z.string(),
  lastError: z.string().nullable(),
  messageId: z.string().nullable(),
  createdAt: z.string(),
  publishedAt: z.string().nullable(),
})


const DeadLetter = z.object({
  dlqId: z.string(),
  messageId: z.string(),
  url: z.string(),
  urlGroup: z.string().optional(),
  responseStatus: z.int().optional(),
  responseBody: z.string().optional(),
  body: z.string().optional(),
  createdAt: z.number(),
})

const Divergence = z.object({
  kind: z.enum(['state-mismatch', 'missing-row', 'row-without-events', 'invalid-stream', 'unpublished']),
  aggregateType: z.string().optional(),
  aggregateId: z.string().optional(),
  fields: z.array(z.string()).optional(),
  error: z.string().optional(),
  outboxId: z.string().optional(),
  topic: z.string().optional(),
  status: z.string().optional(),
})

const routes = [
  createRoute({
    method: 'get',
    path: '/schemas',
    tags: ['contracts'],
    summary: 'Every integration-event contract (type, major version, owner)',
    responses: { 200: jsonResponse(z.array(SchemaSummary), 'The registry') },
  }),
  createRoute({
    method: 'get',
    path: '/schemas/{type}/{version}',
    tags: ['contracts'],
    summary: "A contract's JSON Schema (draft 2020-12): what a CloudEvent's `dataschema` points to",
    request: { params: z.object({ type: z.string().openapi({ example: 'herald.ordering.BuyerRegistered' }), version: z.string().openapi({ example: '2' }) }) },
    responses: { 200: jsonResponse(z.record(z.string(), z.unknown()), 'JSON Schema'), 404: problemResponse('No such event type and version') },
  }),
  createRoute({
    method: 'get',
    path: '/asyncapi.json',
    tags: ['contracts'],
    summary: 'AsyncAPI 3.0: one channel per event type, who sends and who receives it',
    responses: { 200: jsonResponse(z.record(z.string(), z.unknown()), 'AsyncAPI document') },
  }),
  createRoute({
    method: 'post',
    path: '/subscribers/{context}',
    tags: ['deliveries'],
    summary: "QStash delivers an integration event to a context's subscriber",
    description: 'CloudEvents 1.0, structured (`application/cloudevents+json`) or binary (`ce-*` headers). The inbox row commits with the handler\'s writes.',
    request: {
      params: z.object({ context: z.string().openapi({ example: 'catalog' }) }),
      headers: signature,
      body: { content: { 'application/cloudevents+json': { schema: z.record(z.string(), z.unknown()) } }, required: true },
    },
    responses: deliveryResponses,
  }),
  createRoute({
    method: 'post',
    path: '/internal/handlers/{name}',
    tags: ['deliveries'],
    summary: "QStash delivers an after-commit handler's durable job (published by the outbox relay)",
    request: {
      params: z.object({ name: z.string().openapi({ example: 'confirmGracePeriodWhenOrderStarted' }) }),
      headers: signature,
      body: { content: { 'application/json': { schema: z.object({ jobId: z.string(), handler: z.string(), event: z.record(z.string(), z.unknown()) }) } }, required: true },
    },
    responses: deliveryResponses,
  }),
  createRoute({
    method: 'get',
    path: '/admin/outbox',
    tags: ['admin'],
    security: admin,
    summary: 'Outbox rows (newest 200) and counts by status',
    request: { query: z.object({ status: z.enum(['pending', 'published', 'failed']).optional() }) },
    responses: {
      200: jsonResponse(z.object({ counts: z.record(z.string(), z.int()), messages: z.array(OutboxMessage) }), 'Outbox'),
      400: problemResponse('Unknown status'),
      401: unauthorized,
    },
  }),
  createRoute({
    method: 'post',
    path: '/admin/outbox/relay',
    tags: ['admin'],
    security: admin,
    summary: 'Make `failed` rows pending again and publish everything due now',
    responses: {
      200: jsonResponse(z.object({ requeued: z.int(), published: z.int(), failed: z.int() }), 'What the sweep did'),
      401: unauthorized,
      503: noBroker,
    },
  }),
  createRoute({
    method: 'post',
    path: '/admin/reconcile',
    tags: ['admin'],
    security: admin,
    summary: 'Replay every aggregate and compare with its row; check every committed event was published',
    request: { query: z.object({ repair: z.enum(['true', 'false']).optional() }) },
    responses: {
      200: jsonResponse(z.object({ aggregatesChecked: z.int(), outboxChecked: z.int(), divergences: z.array(Divergence), repaired: z.int() }), 'Report'),
      401: unauthorized,
    },
  }),
  createRoute({
    method: 'get',
    path: '/admin/dead-letters',
    tags: ['admin'],
    security: admin,
    summary: "QStash's dead-letter queue",
    responses: { 200: jsonResponse(z.array(DeadLetter), 'Dead letters'), 401: unauthorized, 503: noBroker },
  }),
  createRoute({
    method: 'post',
    path: '/admin/dead-letters/{dlqId}/retry',
    tags: ['admin'],
    security: admin,
    summary: 'Deliver a dead letter again',
    request: { params: z.object({ dlqId: z.string() }) },
    responses: { 200: jsonResponse(z.object({ responses: z.array(z.object({ messageId: z.string() })) }), 'Re-enqueued as a new message'), 401: unauthorized, 503: noBroker },
  }),
  createRoute({
    method: 'delete',
    path: '/admin/dead-letters/{dlqId}',
    tags: ['admin'],
    security: admin,
    summary: 'Drop a dead letter',
    request: { params: z.object({ dlqId: z.string() }) },
    responses: { 200: jsonResponse(z.object({ deleted: z.int() }), 'Deleted'), 401: unauthorized, 503: noBroker },
  }),
  createRoute({
    method: 'get',
    path: '/admin/subscriptions',
    tags: ['admin'],
    security: admin,
    summary: "Herald's URL groups (one per event type) and their endpoints",
    responses: {
      200: jsonResponse(z.array(z.object({ eventType: z.string(), endpoints: z.array(z.object({ name: z.string().optional(), url: z.string() })) })), 'Subscriptions'),
      401: unauthorized,
      503: noBroker,
    },
  }),
  createRoute({
    method: 'post',
    path: '/admin/subscriptions',
    tags: ['admin'],
    security: admin,
    summary: 'Subscribe an external webhook to an event type (it receives signed CloudEvents)',
    request: { body: { content: { 'application/json': { schema: Subscription } }, required: true } },
    responses: {
      201: jsonResponse(Subscription, 'Subscribed; the endpoint name is prefixed with `external-`'),
      400: problemResponse('Invalid subscription'),
      401: unauthorized,
      503: noBroker,
    },
  }),
  createRoute({
    method: 'delete',
    path: '/admin/subscriptions/{eventType}/{name}',
    tags: ['admin'],
    security: admin,
    summary: 'Unsubscribe an endpoint',
    request: { params: z.object({ eventType: z.string(), name: z.string() }) },
    responses: { 204: { description: 'Removed' }, 401: unauthorized, 503: noBroker },
  }),
]

/** Adds the plain Hono routes (registry, deliveries, admin) to `/openapi.json`. */
export function documentPlainRoutes(app: OpenAPIHono<any>): void {
  app.openAPIRegistry.registerComponent('securitySchemes', 'adminToken', { type: 'http', scheme: 'bearer', description: '`ADMIN_TOKEN`' })
  for (const route of routes) app.openAPIRegistry.registerPath(route)
}
