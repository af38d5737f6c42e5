import { createMiddleware } from 'hono/factory'
import type { OutboxBacklog } from '../outbox/backlog.ts'
import { problem } from './problem.ts'

/** Deliveries drain the backlog and admin repairs it: only these paths are never refused. */
const DRAINS = ['/subscribers/', '/internal/handlers/', '/admin/']
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS'])

/**
 * Refuses HTTP commands at the door (503, `Retry-After`, `BACKPRESSURE.OUTBOX_FULL`) while the
 * outbox holds more pending rows than its bound, before anything is read or written. Deliveries
 * are never refused for it: they are what drains the backlog.
 */
export function backpressure(backlog: OutboxBacklog, retryAfterSeconds = 1) {
  return createMiddleware(async function backpressure(c, next) {
    if (SAFE.has(c.req.method) || DRAINS.some((prefix) => c.req.path.startsWith(prefix))) return next()
    if (!(await backlog.full())) return next()
    return problem(
      c,
      {
        title: 'Service unavailable',
        status: 503,
        code: 'BACKPRESSURE.OUTBOX_FULL',
        detail: `More than ${backlog.maxPending} integration events wait to be published; retry after ${retryAfterSeconds} s`,
      },
      { 'Retry-After': String(retryAfterSeconds) },
    )
  })
}
