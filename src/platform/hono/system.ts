import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi'
import type { Database } from '../store/database.ts'
import type { RouteEnv } from './context.ts'
import { jsonResponse, problemResponse } from './schemas.ts'

const healthRoute = createRoute({
  method: 'get',
  path: '/health',
  tags: ['system'],
  responses: {
    200: jsonResponse(z.object({ status: z.literal('ok') }), 'The database answers'),
    503: problemResponse('The database does not answer'),
  },
})

export function registerSystemRoutes(app: OpenAPIHono<RouteEnv>, database: Database): void {
  app.openapi(healthRoute, async (c) => {
    await database.client.execute('SELECT 1')
    return c.json({ status: 'ok' as const }, 200)
  })
}
