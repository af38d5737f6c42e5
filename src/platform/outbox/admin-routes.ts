import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi'
import type { Env } from 'hono'
import { adminSecurity, brokerMissing, noBroker, unauthorized } from '../hono/admin/responses.ts'
import { plainRoute } from '../hono/plain-route.ts'
import { problem } from '../hono/problem.ts'
import { jsonResponse, problemResponse } from '../hono/schemas.ts'
import type { Database } from '../store/database.ts'
import type { OutboxRelay } from './relay.ts'
import { OUTBOX_STATUSES as STATUSES, type OutboxStatus, outboxStore } from './store.ts'

const OutboxMessage = z.object({
  id: z.string(),
  kind: z.enum(['integration', 'after-commit']),
  topic: z.string(),
  status: z.enum(STATUSES),
  attempts: z.int(),
  nextAttemptAt: z.string(),
  lastError: z.string().nullable(),
  messageId: z.string().nullable(),
  createdAt: z.string(),
  publishedAt: z.string().nullable(),
})

const outboxList = createRoute({
  method: 'get',
  path: '/admin/outbox',
  tags: ['admin'],
  security: adminSecurity,
  summary: 'Outbox rows (newest 200) and counts by status',
  request: { query: z.object({ status: z.enum(STATUSES).optional() }) },
  responses: {
    200: jsonResponse(z.object({ counts: z.record(z.string(), z.int()), messages: z.array(OutboxMessage) }), 'Outbox'),
    400: problemResponse('Unknown status'),
    401: unauthorized,
  },
})

const outboxRelay = createRoute({
  method: 'post',
  path: '/admin/outbox/relay',
  tags: ['admin'],
  security: adminSecurity,
  summary: 'Make `failed` rows pending again and publish everything due now',
  responses: {
    200: jsonResponse(z.object({ requeued: z.int(), published: z.int(), failed: z.int() }), 'What the sweep did'),
    401: unauthorized,
    503: noBroker,
  },
})

/** The outbox as operators see it, and a manual sweep. */
export function registerOutboxRoutes<E extends Env>(app: OpenAPIHono<E>, { database, relay }: { database: Database; relay: OutboxRelay | undefined }): void {
  const outbox = outboxStore(database)
  plainRoute(app, outboxList, async (c) => {
    const status = c.req.query('status')
    if (status !== undefined && !(STATUSES as readonly string[]).includes(status)) {
      return problem(c, { title: 'Invalid request', status: 400, code: 'REQUEST.INVALID', detail: 'status must be pending, published or failed' })
    }
    const messages = await outbox.list({ ...(status ? { status: status as OutboxStatus } : {}), limit: 200 })
    const figures = await outbox.figures()
    // Only the statuses some row has, as before.
    const counts = Object.fromEntries(Object.entries(figures).flatMap(([s, { count }]) => (count > 0 ? [[s, count]] : [])))
    return c.json({ counts, messages })
  })

  plainRoute(app, outboxRelay, async (c) => {
    if (!relay) return brokerMissing(c)
    const requeued = await relay.requeueFailed()
    return c.json({ requeued, ...(await relay.sweep()) })
  })
}
