import type { OpenAPIHono, RouteConfig } from '@hono/zod-openapi'
import type { Env, Handler, MiddlewareHandler } from 'hono'

/** What `createRoute(...)` returns: the route's config, and its path in Hono's `:param` form. */
type CreatedRoute = Omit<RouteConfig, 'middleware' | 'hide'> & { getRoutingPath(): string }

/**
 * Serves plain Hono handlers at a route and documents that route in `/openapi.json`, both from the
 * one `createRoute(...)` object, so the method and path served are the ones documented.
 *
 * Unlike `app.openapi`, nothing parses or validates the request first: the handlers read it
 * themselves and answer as they like. QStash deliveries need the raw body (the signature covers the
 * exact bytes) and QStash's own status codes; admin answers with what the broker returns.
 *
 * @example
 * const health = createRoute({ method: 'get', path: '/ping', responses: { 200: { description: 'Pong' } } })
 * plainRoute(app, health, (c) => c.text('pong'))
 */
export function plainRoute<E extends Env, R extends CreatedRoute>(
  app: OpenAPIHono<E>,
  route: R,
  ...handlers: [...MiddlewareHandler<E, ReturnType<R['getRoutingPath']>>[], Handler<E, ReturnType<R['getRoutingPath']>>]
): void {
  app.openAPIRegistry.registerPath(route)
  app.on(route.method, route.getRoutingPath(), ...(handlers as [Handler<E>]))
}
