import type { Hono } from 'hono'
import type { Subscriber } from '../../kernel/index.ts'
import { checkHandlers, checkRoutes } from '../composition-checks.ts'
import type { AnyContext, ContextDeps, ContextParts } from '../context.ts'
import type { RouteEnv } from '../hono/context.ts'

/** Every context set up once, in the order given, each checked as it registers its handlers. */
export function setUpContexts(contexts: readonly AnyContext[], deps: ContextDeps) {
  const parts = new Map<string, ContextParts>()
  for (const context of contexts) {
    const before = deps.dispatcher.registrations().length
    parts.set(context.name, context.setup(deps))
    checkHandlers(context, deps.dispatcher.registrations().slice(before), contexts)
  }
  const built = [...parts.values()]
  return {
    parts,
    built,
    subscribers: built.flatMap((p): Subscriber[] => (p.subscriber ? [p.subscriber] : [])),
  }
}

/**
 * Mounts the contexts' routes after the toolkit's, refusing a route two of them answer. Last,
 * because a context's sub-app must not shadow the toolkit's own paths.
 */
export function mountContextRoutes(app: Hono<RouteEnv>, contexts: readonly AnyContext[], parts: ReadonlyMap<string, ContextParts>): void {
  checkRoutes(
    contexts.map((c) => ({ name: c.name, routes: parts.get(c.name)?.routes })),
    app.routes.map((r) => ({ method: r.method, path: r.path })),
  )
  for (const context of contexts) {
    const routes = parts.get(context.name)?.routes
    if (routes) app.route('/', routes)
  }
}
