import { trace } from '@opentelemetry/api'
import type { Context, MiddlewareHandler } from 'hono'
import { createMiddleware } from 'hono/factory'
import { routePath } from 'hono/route'
import type { Logger } from './logger.ts'

const TRACE_ID = 'herald.traceId' as never

/** Lets a span started deeper than the request middleware (a delivery's CONSUMER span) name the request's trace. */
export function setRequestTraceId(c: Context, traceId: string): void {
  c.set(TRACE_ID, traceId as never)
}

const REQUEST_ID = /^[\w.:-]{1,128}$/

/**
 * One line per request: method, route (the pattern, never the path with its ids), status,
 * duration, request id (the caller's `X-Request-Id` when it is a plain token, else a new one,
 * echoed in the response) and trace id; the error and its cause when the answer is a 5xx.
 */
export function logRequests(logger: Logger): MiddlewareHandler {
  return createMiddleware(async function logRequest(c, next) {
    const started = performance.now()
    const given = c.req.header('x-request-id')
    const requestId = given && REQUEST_ID.test(given) ? given : crypto.randomUUID()
    const traceId = trace.getActiveSpan()?.spanContext().traceId
    await next()
    try {
      c.res.headers.set('X-Request-Id', requestId)
    } catch {
      // An immutable response (a proxied fetch): it goes out without the header.
    }
    const status = c.res.status
    const fields = {
      method: c.req.method,
      route: routePath(c, -1),
      status,
      durationMs: Math.round((performance.now() - started) * 10) / 10,
      requestId,
      ...((c.get(TRACE_ID) as string | undefined) || traceId ? { traceId: (c.get(TRACE_ID) as string | undefined) || traceId } : {}),
      ...(status >= 500 && c.error ? { error: c.error } : {}),
    }
    if (status >= 500) logger.error('request failed', fields)
    else logger.info('request', fields)
  })
}
