import type { Client } from '@upstash/qstash'
import type { Hono, MiddlewareHandler } from 'hono'
import { z } from 'zod'
import { parseEventType } from '../../kernel/index.ts'
import type { Database } from '../store/database.ts'
import type { OutboxRelay } from '../messaging/relay.ts'
import type { ReconcileReport } from '../reconcile.ts'
import { invalidRequest, problem } from './problem.ts'
import { requireAdmin } from './require-admin.ts'

/** `POST /admin/subscriptions`'s body (also documented in /openapi.json). */
export const Subscription = z.strictObject({
  eventType: z.string().refine((type) => parseEventType(type) !== undefined, 'A CloudEvents type like herald.ordering.OrderShipped.v1'),
  name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'Lowercase letters, digits and dashes'),
  url: z.url({ protocol: /^https?$/ }),
})

/** Operator routes behind `Authorization: Bearer $ADMIN_TOKEN`. */
export function registerAdminRoutes(
  app: Hono<any>,
  deps: {
    adminToken: string | undefined
    database: Database
    relay: OutboxRelay | undefined
    qstash: Client | undefined
    reconcile: (options: { repair?: boolean }) => Promise<ReconcileReport>
  },
): void {
  const { adminToken, database, relay, qstash } = deps
  app.use('/admin/*', requireAdmin(adminToken))
  const broker = (c: Parameters<MiddlewareHandler>[0]) =>
    problem(c, { title: 'Unavailable', status: 503, code: 'ADMIN.NO_BROKER', detail: 'No QStash client configured' })

  app.get('/admin/outbox', async (c) => {
    const status = c.req.query('status')
    if (status !== undefined && !['pending', 'published', 'failed'].includes(status)) {
      return problem(c, { title: 'Invalid request', status: 400, code: 'REQUEST.INVALID', detail: 'status must be pending, published or failed' })
    }
    const { rows } = await database.client.execute({
      sql: `SELECT id, kind, topic, status, attempts, next_attempt_at, last_error, message_id, created_at, published_at
        FROM outbox ${status ? 'WHERE status = ?' : ''} ORDER BY created_at DESC, id DESC LIMIT 200`,
      args: status ? [status] : [],
    })
    const counts = await database.client.execute('SELECT status, COUNT(*) AS n FROM outbox GROUP BY status')
    return c.json({
      counts: Object.fromEntries(counts.rows.map((r) => [String(r.status), Number(r.n)])),
      messages: rows.map((r) => ({
        id: r.id,
        kind: r.kind,
        topic: r.topic,
        status: r.status,
        attempts: r.attempts,
        nextAttemptAt: r.next_attempt_at,
        lastError: r.last_error,
        messageId: r.message_id,
        createdAt: r.created_at,
        publishedAt: r.published_at,
      })),
    })
  })

  app.post('/admin/outbox/relay', async (c) => {
    if (!relay) return broker(c)
    const requeued = await relay.requeueFailed()
    return c.json({ requeued, ...(await relay.sweep()) })
  })

  app.post('/admin/reconcile', async (c) => c.json(await deps.reconcile({ repair: c.req.query('repair') === 'true' })))

  app.get('/admin/dead-letters', async (c) => {
    if (!qstash) return broker(c)
    const { messages } = await qstash.dlq.listMessages()
    return c.json(
      messages.map((m) => ({
        dlqId: m.dlqId,
        messageId: m.messageId,
        url: m.url,
        urlGroup: m.urlGroup ?? m.topicName,
        responseStatus: m.responseStatus,
        responseBody: m.responseBody,
        body: m.body,
        createdAt: m.createdAt,
      })),
    )
  })
  app.post('/admin/dead-letters/:dlqId/retry', async (c) => {
    if (!qstash) return broker(c)
    return c.json(await qstash.dlq.retry(c.req.param('dlqId')))
  })
  app.delete('/admin/dead-letters/:dlqId', async (c) => {
    if (!qstash) return broker(c)
    return c.json(await qstash.dlq.delete(c.req.param('dlqId')))
  })

  app.get('/admin/subscriptions', async (c) => {
    if (!qstash) return broker(c)
    const groups = await qstash.urlGroups.list()
    return c.json(groups.filter((g) => g.name.startsWith('herald.')).map((g) => ({ eventType: g.name, endpoints: g.endpoints })))
  })
  app.post('/admin/subscriptions', async (c) => {
    if (!qstash) return broker(c)
    const parsed = Subscription.safeParse(await c.req.json().catch(() => undefined))
    if (!parsed.success) return invalidRequest(c, parsed.error, 'json')
    const { eventType, name, url } = parsed.data
    await qstash.urlGroups.addEndpoints({ name: eventType, endpoints: [{ name: `external-${name}`, url }] })
    return c.json({ eventType, name: `external-${name}`, url }, 201)
  })
  app.delete('/admin/subscriptions/:eventType/:name', async (c) => {
    if (!qstash) return broker(c)
    await qstash.urlGroups.removeEndpoints({ name: c.req.param('eventType'), endpoints: [{ name: c.req.param('name') }] })
    return c.body(null, 204)
  })
}
