import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi'
import type { Context, Env, MiddlewareHandler } from 'hono'
import { deliveryRoutes, HeraldError } from '../../kernel/index.ts'
import { type Deliveries, NonRetryableDelivery } from '../messaging/deliveries.ts'
import { handshakeAnswer } from '../messaging/webhook-handshake.ts'
import { plainRoute } from './plain-route.ts'
import { problem } from './problem.ts'
import { jsonResponse, problemResponse } from './schemas.ts'
import { type SignatureVerifier, verifySignature } from './verify-signature.ts'

const signature = z.object({
  'upstash-signature': z.string().openapi({ description: 'QStash JWT (HS256) over the exact body, `sub` = this URL' }),
})

// Status codes speak QStash: 2xx delivered (also for a duplicate), 489 with
// `Upstash-NonRetryable-Error: true` for what can never succeed (straight to the DLQ), 409/5xx
// for what may succeed later (retried with backoff).
const deliveryResponses = {
  200: jsonResponse(z.object({ status: z.enum(['processed', 'duplicate']) }), 'Handled, or already handled before (a duplicate delivery has one effect)'),
  401: problemResponse('Missing, forged, expired or mis-addressed signature, or no signing keys configured'),
  409: problemResponse('A concurrent delivery is being handled; QStash retries'),
  489: {
    ...problemResponse(
      'Can never succeed (unknown context or handler, invalid CloudEvent or job, unknown type, contract violation): `Upstash-NonRetryable-Error: true` sends it to the DLQ',
    ),
    headers: z.object({ 'Upstash-NonRetryable-Error': z.literal('true') }),
  },
  500: problemResponse('The handler failed; QStash retries with backoff'),
  503: problemResponse('A dependency is unavailable; QStash retries with backoff'),
}

const subscriberDelivery = createRoute({
  method: 'post',
  path: deliveryRoutes.subscriber,
  tags: ['deliveries'],
  summary: "QStash delivers an integration event to a context's subscriber",
  description:
    "CloudEvents 1.0 in structured mode only (`application/cloudevents+json`, a non-empty `id`): the signature covers the body, not `ce-*` headers, so binary mode is refused (489). The inbox row commits with the handler's writes.",
  request: {
    params: z.object({ context: z.string().openapi({ example: 'catalog' }) }),
    headers: signature,
    body: { content: { 'application/cloudevents+json': { schema: z.record(z.string(), z.unknown()) } }, required: true },
  },
  responses: deliveryResponses,
})

const subscriberHandshake = createRoute({
  method: 'options',
  path: deliveryRoutes.subscriber,
  tags: ['deliveries'],
  summary: 'The CloudEvents webhook validation handshake (abuse protection)',
  description: 'Consents to deliveries from the configured QStash origin (any origin in development).',
  request: {
    params: z.object({ context: z.string() }),
    headers: z.object({ 'webhook-request-origin': z.string(), 'webhook-request-rate': z.string().optional() }),
  },
  responses: {
    200: { description: 'Consent: `WebHook-Allowed-Origin`, `Allow: POST`, and `WebHook-Allowed-Rate` when a rate was asked' },
    400: { description: 'No `WebHook-Request-Origin`' },
    403: { description: 'Not an origin this service takes deliveries from' },
  },
})

const handlerJob = createRoute({
  method: 'post',
  path: deliveryRoutes.job,
  tags: ['deliveries'],
  summary: "QStash delivers an after-commit handler's durable job (published by the outbox relay)",
  request: {
    params: z.object({ name: z.string().openapi({ example: 'markAwaitingValidationWhenGracePeriodEnds' }) }),
    headers: signature,
    body: {
      content: { 'application/json': { schema: z.object({ jobId: z.string(), handler: z.string(), event: z.record(z.string(), z.unknown()) }) } },
      required: true,
    },
  },
  responses: deliveryResponses,
})

/** QStash deliveries: each handler reads the raw body itself, after the signature is verified on it. */
export function registerSubscriberRoutes<E extends Env>(
  app: OpenAPIHono<E>,
  deps: {
    deliveries: Deliveries
    verifier: SignatureVerifier | undefined
    publicUrl: string
    /** Records each verified delivery and the status it got (telemetry; see src/platform/observability). */
    recordDelivery?: (kind: 'subscriber' | 'handler') => MiddlewareHandler
    /** The host deliveries come from (QStash's); undefined: consent to any (development). */
    origin?: string | undefined
  },
) {
  const { deliveries, verifier, publicUrl } = deps
  const verified = verifySignature(verifier, publicUrl)
  const record = deps.recordDelivery ?? ((): MiddlewareHandler => async (_c, next) => next())

  plainRoute(app, subscriberDelivery, verified, record('subscriber'), async (c) => {
    const body = await c.req.text()
    return settle(c, () => deliveries.receive(c.req.param('context'), c.req.header(), body))
  })
  plainRoute(app, subscriberHandshake, (c) => {
    const { status, headers } = handshakeAnswer({ origin: c.req.header('WebHook-Request-Origin'), rate: c.req.header('WebHook-Request-Rate') }, deps.origin)
    return c.body(null, status as 200, headers)
  })
  plainRoute(app, handlerJob, verified, record('handler'), async (c) => settle(c, async () => deliveries.runJob(c.req.param('name'), await c.req.text())))
}

async function settle(c: Context, run: () => Promise<'processed' | 'duplicate'>): Promise<Response> {
  try {
    return c.json({ status: await run() }, 200)
  } catch (error) {
    if (error instanceof NonRetryableDelivery || (error instanceof HeraldError && error.kind !== 'conflict' && error.kind !== 'unavailable')) {
      const { code, message } = error as HeraldError
      return problem(c, { title: 'Undeliverable', status: 489, code, detail: message }, { 'Upstash-NonRetryable-Error': 'true' })
    }
    throw error
  }
}
