import { OpenAPIHono } from '@hono/zod-openapi'
import { bodyLimit } from 'hono/body-limit'
import type { HeraldConfig } from '../config.ts'
import { authenticate } from '../hono/auth.ts'
import { backpressure } from '../hono/backpressure.ts'
import type { RouteEnv } from '../hono/context.ts'
import { fingerprintSecret, keyedFingerprint } from '../hono/fingerprint.ts'
import { invalidRequest, notFound, onError, problem } from '../hono/problem.ts'
import { securityHeaders } from '../hono/security-headers.ts'
import type { OutboxBacklog } from '../outbox/backlog.ts'
import { type Logger, logRequests, traceRequests } from '../telemetry/index.ts'

/**
 * The service's Hono app with the middleware every route runs behind, in this order: security
 * headers (nosniff, no-store…), a span and
 * a log line per request, the clock, id generator and request fingerprint on the context, the caller (JWT or admin
 * token), the body limit, and backpressure while the outbox is over its bound.
 */
export function heraldApp(deps: { config: HeraldConfig; clock: () => string; newId: () => string; logger: Logger; backlog?: OutboxBacklog }) {
  const { config, clock, newId, logger, backlog } = deps
  const app = new OpenAPIHono<RouteEnv>({
    defaultHook: (result, c) => (result.success ? undefined : invalidRequest(c, result.error, result.target)),
  })
  app.onError(onError)
  app.notFound(notFound)
  const fingerprint = keyedFingerprint(fingerprintSecret(config))
  // First, so every answer carries them: errors, 404s and refusals by the middleware below included.
  app.use('*', securityHeaders())
  app.use('*', traceRequests())
  app.use('*', logRequests(logger))
  app.use('*', async (c, next) => {
    c.set('clock', clock)
    c.set('newId', newId)
    c.set('fingerprint', fingerprint)
    await next()
  })
  app.use('*', authenticate({ settings: config.auth, adminToken: config.adminToken }))
  app.use(
    '*',
    bodyLimit({
      maxSize: config.maxBodyBytes,
      onError: (c) =>
        problem(c, { title: 'Payload too large', status: 413, code: 'REQUEST.TOO_LARGE', detail: `Bodies are limited to ${config.maxBodyBytes} bytes` }),
    }),
  )
  if (backlog) app.use('*', backpressure(backlog))
  return app
}
