import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi'
import type { Env } from 'hono'
import type { Client } from '@upstash/qstash'
import { parseEventType } from '../../../kernel/index.ts'
import { plainRoute } from '../plain-route.ts'
import { invalidRequest } from '../problem.ts'
import { jsonResponse, problemResponse } from '../schemas.ts'
import type { Consent } from '../../messaging/webhook-handshake.ts'
import { problem } from '../problem.ts'
import { adminSecurity, brokerMissing, noBroker, unauthorized } from './responses.ts'

/** `POST /admin/subscriptions`'s body. */
export const Subscription = z.strictObject({
  eventType: z.string().refine((type) => parseEventType(type) !== undefined, 'A CloudEvents type like herald.ordering.OrderShipped.v1'),
  name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'Lowercase letters, digits and dashes'),
  url: z.url({ protocol: /^https?$/ }),
})

const subscriptionList = createRoute({
  method: 'get',
  path: '/admin/subscriptions',
  tags: ['admin'],
  security: adminSecurity,
  summary: "Herald's URL groups (one per event type) and their endpoints",
  responses: {
    200: jsonResponse(
      z.array(z.object({ eventType: z.string(), endpoints: z.array(z.object({ name: z.string().optional(), url: z.string() })) })),
      'Subscriptions',
    ),
    401: unauthorized,
    503: noBroker,
  },
})

const subscriptionAdd = createRoute({
  method: 'post',
  path: '/admin/subscriptions',
  tags: ['admin'],
  security: adminSecurity,
  summary: 'Subscribe an external webhook to an event type (it receives signed CloudEvents)',
  request: { body: { content: { 'application/json': { schema: Subscription } }, required: true } },
  responses: {
    201: jsonResponse(Subscription, 'Subscribed; the endpoint name is prefixed with `external-`'),
    400: problemResponse('Invalid subscription'),
    401: unauthorized,
    422: problemResponse(
      'The endpoint refused the webhook handshake, did not answer it in time, redirected, or is not allowed (production: https and public addresses only)',
    ),
    503: noBroker,
  },
})

const subscriptionRemove = createRoute({
  method: 'delete',
  path: '/admin/subscriptions/{eventType}/{name}',
  tags: ['admin'],
  security: adminSecurity,
  summary: 'Unsubscribe an endpoint',
  request: { params: z.object({ eventType: z.string(), name: z.string() }) },
  responses: { 204: { description: 'Removed' }, 401: unauthorized, 503: noBroker },
})

/** External webhooks as endpoints of Herald's URL groups. */
export function registerSubscriptionRoutes<E extends Env>(app: OpenAPIHono<E>, qstash: Client | undefined, consent?: (url: string) => Promise<Consent>): void {
  plainRoute(app, subscriptionList, async (c) => {
    if (!qstash) return brokerMissing(c)
    const groups = await qstash.urlGroups.list()
    return c.json(groups.filter((g) => g.name.startsWith('herald.')).map((g) => ({ eventType: g.name, endpoints: g.endpoints })))
  })
  plainRoute(app, subscriptionAdd, async (c) => {
    if (!qstash) return brokerMissing(c)
    // Parsed here rather than by a validator so a missing broker answers 503 before the body is judged.
    const parsed = Subscription.safeParse(await c.req.json().catch(() => undefined))
    if (!parsed.success) return invalidRequest(c, parsed.error, 'json')
    const { eventType, name, url } = parsed.data
    // Nobody gets events they did not ask for: the endpoint must consent first.
    const answer = consent ? await consent(url) : ({ ok: true } as const)
    if (!answer.ok) {
      return problem(c, { title: 'Subscription refused', status: 422, code: 'SUBSCRIPTION.REFUSED', detail: `${url}: ${answer.reason}` })
    }
    await qstash.urlGroups.addEndpoints({ name: eventType, endpoints: [{ name: `external-${name}`, url }] })
    return c.json({ eventType, name: `external-${name}`, url }, 201)
  })
  plainRoute(app, subscriptionRemove, async (c) => {
    if (!qstash) return brokerMissing(c)
    await qstash.urlGroups.removeEndpoints({ name: c.req.param('eventType'), endpoints: [{ name: c.req.param('name') }] })
    return c.body(null, 204)
  })
}
