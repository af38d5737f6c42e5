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
    /** The keyed digest of a request body for Idempotency-Key comparisons (card data left out by the caller). */
    fingerprint: (value: unknown) => Promise<string>
    /** Who is calling (set by `authenticate`). */
    caller: Caller
  }
}

/**
 * Correlation comes from the caller when it sends one (so a client can follow its request
 * through every context), else a fresh id. Only an operator (or anyone, in development) names a
 * chain outright: a user's id is put under their subject (`alice/checkout-42`; a supplied id has
 * no `/`), so nobody attaches their commands to another user's chain.
 */
export function commandMeta(c: Context<RouteEnv>): CommandMeta {
  const supplied = c.req.header('X-Correlation-Id')
  const caller = c.var.caller
  if (!supplied || !/^[\w.:-]{1,128}$/.test(supplied) || caller?.kind === 'anonymous') return { correlationId: c.var.newId() }
  return { correlationId: caller?.kind === 'user' ? `${encodeURIComponent(caller.subject)}/${supplied}` : supplied }
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
