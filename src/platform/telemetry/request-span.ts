import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api'
import type { MiddlewareHandler } from 'hono'
import { createMiddleware } from 'hono/factory'
import { routePath } from 'hono/route'
import { INSTRUMENTATION_SCOPE } from './attributes.ts'
import { recordFailure } from './instrumentation.ts'

/**
 * A SERVER span per HTTP request, a child of the caller's span when the request carries a W3C
 * `traceparent` (the global propagator reads it). Deliveries from QStash are left to
 * {@link traceDeliveries}: their parent is in the CloudEvent, not in the headers.
 */
export function traceRequests(options: { isDelivery?: (header: (name: string) => string | undefined) => boolean } = {}): MiddlewareHandler {
  const { isDelivery = (header) => header('upstash-signature') !== undefined } = options
  return createMiddleware(async function traceRequest(c, next) {
    if (isDelivery((name) => c.req.header(name))) return next()
    const parent = propagation.extract(ROOT_CONTEXT, c.req.header())
    const method = c.req.method
    const span = trace.getTracer(INSTRUMENTATION_SCOPE).startSpan(
      method,
      {
        kind: SpanKind.SERVER,
        attributes: { 'http.request.method': method, 'url.path': c.req.path, 'url.scheme': new URL(c.req.url).protocol.slice(0, -1) },
      },
      parent,
    )
    try {
      await context.with(trace.setSpan(parent, span), next)
      const route = routePath(c, -1)
      span.updateName(`${method} ${route}`)
      span.setAttributes({ 'http.route': route, 'http.response.status_code': c.res.status })
      if (c.res.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR })
    } catch (error) {
      recordFailure(span, error)
      throw error
    } finally {
      span.end()
    }
  })
}
