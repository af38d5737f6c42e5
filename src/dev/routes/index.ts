/**
 * The QStash v2 HTTP API of the dev broker. Every `/v2` route needs `Authorization: Bearer <token>`;
 * errors answer `{ error }` like QStash, which the SDK surfaces as `QstashError` messages.
 */
import { Hono } from 'hono'
import { HttpError } from '../model.ts'
import { adminRoutes } from './admin.ts'
import type { RouteDeps } from './deps.ts'
import { dlqRoutes } from './dlq.ts'
import { flowControlRoutes } from './flow-control.ts'
import { logRoutes } from './logs.ts'
import { messageRoutes } from './messages.ts'
import { publishRoutes } from './publish.ts'
import { scheduleRoutes } from './schedules.ts'
import { unsupportedRoutes } from './unsupported.ts'

export type { RouteDeps } from './deps.ts'

export function createApi(deps: RouteDeps): Hono {
  const app = new Hono()

  app.use('/v2/*', async (c, next) => {
    if (c.req.header('authorization') !== `Bearer ${deps.token}`) {
      return c.json({ error: 'Unauthorized: missing or invalid Bearer token' }, 401)
    }
    await next()
  })

  publishRoutes(app, deps)
  messageRoutes(app, deps)
  dlqRoutes(app, deps)
  logRoutes(app, deps)
  flowControlRoutes(app, deps)
  scheduleRoutes(app, deps)
  adminRoutes(app, deps)

  unsupportedRoutes(app)
  app.onError((error, c) => {
    if (error instanceof HttpError) return c.json({ error: error.message }, error.status)
    console.error('[qstash-dev]', error)
    return c.json({ error: 'internal error' }, 500)
  })
  return app
}
