import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi'
import type { Env } from 'hono'
import type { ReconcileReport } from '../../reconcile.ts'
import { plainRoute } from '../plain-route.ts'
import { jsonResponse } from '../schemas.ts'
import { adminSecurity, unauthorized } from './responses.ts'

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

const reconcileRoute = createRoute({
  method: 'post',
  path: '/admin/reconcile',
  tags: ['admin'],
  security: adminSecurity,
  summary: 'Replay every aggregate and compare with its row; check every committed event was published',
  request: { query: z.object({ repair: z.enum(['true', 'false']).optional() }) },
  responses: {
    200: jsonResponse(z.object({ aggregatesChecked: z.int(), outboxChecked: z.int(), divergences: z.array(Divergence), repaired: z.int() }), 'Report'),
    401: unauthorized,
  },
})

/** Reconciliation on demand; `?repair=true` also requeues what was never published. */
export function registerReconcileRoute<E extends Env>(app: OpenAPIHono<E>, reconcile: (options: { repair?: boolean }) => Promise<ReconcileReport>): void {
  plainRoute(app, reconcileRoute, async (c) => c.json(await reconcile({ repair: c.req.query('repair') === 'true' })))
}
