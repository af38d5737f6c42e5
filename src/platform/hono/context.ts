import { OpenAPIHono } from '@hono/zod-openapi'
import type { Context } from 'hono'
import { invalidRequest } from './problem.ts'
import type { CommandMeta } from '../../kernel/index.ts'
import type { Caller } from './auth.ts'

/** Runtime abilities the routes need, set once per request by the app. */
export interface RouteEnv {
  Variables: {
    clock: () => string
    newId: () => string
    /** Who is calling (set by `authenticate`). */
    caller: Caller
  }
}

/**
 * Correlation comes from the caller when it sends one (so a client can follow its request
 * through every context), else a fresh id.
 */
export function commandMeta(c: Context<RouteEnv>): CommandMeta {
  const supplied = c.req.header('X-Correlation-Id')
  const valid = supplied && /^[\w.:-]{1,128}$/.test(supplied)
  return { correlationId: valid ? supplied : c.var.newId() }
}

/**
 * A context's routes: a sub-app the service mounts at `/`. Validation failures answer
 * problem+json like every other route; errors reach the service's one `onError`.
 *
 * @example
 * const routes = contextRoutes()
 * routes.openapi(getLoanRoute, async (c) => c.json(await loans.get(c.req.valid('param').id), 200))
 */
export function contextRoutes(): OpenAPIHono<RouteEnv> {
  return new OpenAPIHono<RouteEnv>({
    defaultHook: (result, c) => (result.success ? undefined : invalidRequest(c, result.error, result.target)),
  })
}
