import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi'
import type { Env } from 'hono'
import type { Client } from '@upstash/qstash'
import { parseEventType } from '../../../kernel/index.ts'
import { plainRoute } from '../plain-route.ts'
import { invalidRequest } from '../problem.ts'
import { jsonResponse, problemResponse } from '../schemas.ts'
import type { Consent } from '../../messaging/webhook-handshake.ts'
import { problem } from '../problem.ts'
import { adminSecurity, brokerMissing, brokerNotFound, noBroker, notFoundResponse, pathParams, unauthorized } from './responses.ts'

/** `POST /admin/subscriptions`'s body. */
export const Subscription = z.strictObject({
  eventType: z.string().refine((type) => parseEventType(type) !== undefined, 'A CloudEvents type like herald.ordering.OrderShipped.v1'),
  name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'Lowercase letters, digits and dashes'),
  url: z.url({ protocol: /^https?$/ }),
})

/** `DELETE /admin/subscriptions/{eventType}/{name}`'s path: a CloudEvents type (one URL group) and an endpoint's name in it. */
const Endpoint = z.object({
  eventType: Subscription.shape.eventType,
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/, 'An endpoint name: letters, digits, - and _'),
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
  request: { params: Endpoint },
  responses: {
    204: { description: 'Removed' },
    400: problemResponse('Not an event type or endpoint name'),
    401: unauthorized,
    404: notFoundResponse('URL group or endpoint'),
    503: noBroker,
  },
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
    const params = pathParams(c, Endpoint)
    if (params instanceof Response) return params
    const { eventType, name } = params
    // Removing a name the group does not have is no error to QStash: ask first, so it is a 404 here.
    const group = await qstash.urlGroups.get(encodeURIComponent(eventType)).catch((error: unknown) => {
      if (brokerNotFound(error)) return undefined
      throw error
    })
    if (!group?.endpoints.some((endpoint) => endpoint.name === name)) {
      return problem(c, { title: 'Not found', status: 404, code: 'SUBSCRIPTION.NOT_FOUND', detail: `No endpoint ${name} for ${eventType}` })
    }
    await qstash.urlGroups.removeEndpoints({ name: encodeURIComponent(eventType), endpoints: [{ name }] })
    return c.body(null, 204)
  })
}
