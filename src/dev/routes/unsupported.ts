/**
 * What the dev broker does not implement answers as QStash answers a route it does not know:
 * 404 with `{ error }`, here naming the feature, so a caller learns at once instead of getting a
 * silent success it would then rely on. Registered last: every implemented route wins.
 */
import type { Hono } from 'hono'

/** Path prefixes of QStash features the dev broker leaves out, with the name shown. */
const FEATURES: [prefix: RegExp, feature: string][] = [
  [/^\/v2\/workflows(\/|$)/, 'Workflows (use @upstash/workflow against real QStash)'],
  [/^\/v2\/flowControl\/[^/]+\/(pin|unpin)$/, 'Flow-control pin/unpin'],
  [/^\/(v2\/)?llm(\/|$)/, 'The LLM API'],
  [/^\/v2\/(publish|enqueue\/[^/]+)\/api\//, 'Publishing to a QStash API (api/llm)'],
]

export function unsupportedFeature(method: string, path: string): string {
  const feature = FEATURES.find(([prefix]) => prefix.test(path))?.[1]
  return feature === undefined
    ? `${method} ${path} is not a route of the QStash dev broker`
    : `${feature} is not supported by the QStash dev broker (${method} ${path})`
}

export function unsupportedRoutes(app: Hono): void {
  app.all('*', (c) => c.json({ error: unsupportedFeature(c.req.method, c.req.path) }, 404))
}
