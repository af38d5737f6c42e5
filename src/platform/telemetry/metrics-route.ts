import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi'
import type { Env } from 'hono'
import { plainRoute } from '../hono/plain-route.ts'
import { requireAdmin } from '../hono/require-admin.ts'
import { adminSecurity, unauthorized } from '../hono/admin/responses.ts'

const metricsRoute = createRoute({
  method: 'get',
  path: '/metrics',
  tags: ['system'],
  summary: 'Prometheus text exposition of the service metrics (operators only)',
  security: adminSecurity,
  responses: {
    200: { description: 'Prometheus text format 0.0.4', content: { 'text/plain': { schema: z.string() } } },
    401: unauthorized,
  },
})

/** `GET /metrics` behind the admin token; `scrape` renders what the entry's MeterProvider collected. */
export function registerMetricsRoute<E extends Env>(app: OpenAPIHono<E>, deps: { adminToken: string | undefined; scrape: () => Promise<string> }): void {
  plainRoute(app, metricsRoute, requireAdmin(deps.adminToken), async (c) =>
    c.body(await deps.scrape(), 200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' }),
  )
}
