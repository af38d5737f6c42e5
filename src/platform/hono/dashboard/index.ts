import type { Context, Hono } from 'hono'
import { streamSSE } from 'hono/streaming'
import { CONVERSATION_PATH, type ChangeNotice, type ConversationQuery, type Observability } from '../../observability/index.ts'
import { problem } from '../problem.ts'
import { DASHBOARD_CSS } from './assets/styles.ts'
import { DASHBOARD_JS } from './assets/client.bundle.ts'
import { DASHBOARD_HTML } from './page.ts'
import { NO_STATUSES, type StatusMachine } from './statuses.ts'

export type { StatusMachine, SubjectStatus, Tone } from './statuses.ts'

const ORDER_ID = /^[\w.:-]{1,128}$/

// The page only talks to this origin; nothing inline, so a payload that slipped past escaping
// still could not run.
const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ')

/**
 * The event-flow dashboard: `GET /` (one page, no framework; its script is TypeScript under
 * ./client, bundled ahead of time into ./assets/client.bundle.ts), its JSON API under
 * `/dashboard/api/*` and a Server-Sent Events stream of change notices. Read-only: retries go
 * through the admin API with the operator's token. `statuses` is the subjects' status machine,
 * as the context that owns it declares it (the page draws the progress steps from it).
 */
export function registerDashboardRoutes(app: Hono<any>, observability: Observability, options: { heartbeatMs?: number; statuses?: StatusMachine } = {}): void {
  const { reader, feed, deliveryLog } = observability
  const heartbeatMs = options.heartbeatMs ?? 5_000

  app.get('/', (c) => {
    c.header('Content-Security-Policy', PAGE_CSP)
    c.header('X-Content-Type-Options', 'nosniff')
    c.header('Referrer-Policy', 'no-referrer')
    c.header('Cache-Control', 'no-cache')
    return c.html(DASHBOARD_HTML)
  })
  app.get('/dashboard/assets/dashboard.js', (c) => asset(c, DASHBOARD_JS, 'text/javascript; charset=utf-8'))
  app.get('/dashboard/assets/dashboard.css', (c) => asset(c, DASHBOARD_CSS, 'text/css; charset=utf-8'))

  app.get('/dashboard/api/orders', async (c) => c.json(await reader.orders(clampInt(c.req.query('limit'), 30, 1, 200))))

  app.get('/dashboard/api/orders/:id/timeline', async (c) => {
    const id = c.req.param('id')
    const timeline = ORDER_ID.test(id) ? await reader.timeline(id) : undefined
    if (!timeline) return problem(c, { title: 'Not found', status: 404, code: 'ORDER.NOT_FOUND', detail: `No order ${id.slice(0, 128)}` })
    return c.json(timeline)
  })

  app.get('/dashboard/api/statuses', (c) => c.json(options.statuses ?? NO_STATUSES))

  app.get('/dashboard/api/outbox', async (c) => c.json(await reader.outbox()))

  // Which service this dashboard belongs to, for its label in split mode.
  app.get('/dashboard/api/service', (c) => c.json(reader.service()))

  // The peer endpoint: this service's part of some conversations, for another service's timeline.
  // Operators only (the auth middleware), like the rest of /dashboard.
  app.post(CONVERSATION_PATH, async (c) => {
    const query = (await c.req.json().catch(() => undefined)) as Partial<ConversationQuery> | undefined
    const ids = query?.correlationIds
    if (!Array.isArray(ids) || ids.length > 50 || !ids.every((id) => typeof id === 'string') || typeof query?.since !== 'string' || !query.subject) {
      return problem(c, { title: 'Invalid request', status: 400, code: 'REQUEST.INVALID', detail: 'Send { correlationIds (≤ 50), since, subject }' })
    }
    return c.json(await reader.conversation(query as ConversationQuery))
  })

  app.get('/dashboard/api/deliveries', async (c) => c.json(await deliveryLog.recent(clampInt(c.req.query('limit'), 50, 1, 500))))

  app.get('/dashboard/api/stream', (c) =>
    streamSSE(c, async (stream) => {
      const pending: ChangeNotice[] = []
      let wake: (() => void) | undefined
      const unsubscribe = feed.subscribe((notice) => {
        pending.push(notice)
        wake?.()
      })
      const stop = () => {
        unsubscribe()
        wake?.()
      }
      stream.onAbort(stop)
      c.req.raw.signal?.addEventListener('abort', () => stream.abort(), { once: true })
      try {
        let id = 0
        await stream.writeSSE({ event: 'ready', data: JSON.stringify(await feed.current()), id: String(id++), retry: 2000 })
        while (!stream.aborted && !stream.closed) {
          if (pending.length === 0) await sleepUntilWoken(heartbeatMs, (resolve) => (wake = resolve))
          wake = undefined
          if (stream.aborted) break
          const notices = pending.splice(0)
          if (notices.length > 0) {
            await stream.writeSSE({ event: 'change', data: JSON.stringify(merge(notices)), id: String(id++) })
          } else {
            await stream.write(': keep-alive\n\n')
          }
        }
      } finally {
        unsubscribe()
      }
    }),
  )
}

function asset(c: Context, body: string, type: string) {
  c.header('Content-Type', type)
  c.header('Cache-Control', 'no-cache')
  c.header('X-Content-Type-Options', 'nosniff')
  return c.body(body)
}

/** Several notices that piled up while the stream was busy: the latest markers, every part. */
function merge(notices: readonly ChangeNotice[]): ChangeNotice {
  const last = notices.at(-1)!
  return { ...last, changed: [...new Set(notices.flatMap((n) => n.changed))] }
}

function sleepUntilWoken(ms: number, register: (wake: () => void) => void): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms)
    register(() => {
      clearTimeout(timer)
      resolve()
    })
  })
}

function clampInt(value: string | undefined, fallback: number, min: number, max: number): number {
  const n = Number(value)
  return Number.isInteger(n) ? Math.min(max, Math.max(min, n)) : fallback
}
