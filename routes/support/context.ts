import type { Context } from 'hono'
import type { CommandMeta } from '../../src/kernel/index.ts'

/** Runtime abilities the routes need, set once per request by the app. */
export interface RouteEnv {
  Variables: {
    clock: () => string
    newId: () => string
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
