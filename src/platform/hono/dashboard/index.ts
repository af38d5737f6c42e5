import type { Context, Hono } from 'hono'
import { streamSSE } from 'hono/streaming'
import { CONVERSATION_PATH, type ChangeNotice, type ConversationQuery, type Observability, type TimelineReader } from '../../observability/index.ts'
import { problem } from '../problem.ts'
import { requireJson } from '../require-json.ts'
import { DASHBOARD_CSS } from './assets/styles.ts'
import { DASHBOARD_JS } from './assets/client.bundle.ts'
import { DASHBOARD_HTML } from './page.ts'

export type { StatusMachine, SubjectStatus, Tone } from './statuses.ts'

/** A subject's id, as the dashboard's paths take it. */
const NAME = /^[\w.:-]{1,128}$/
/** A subject kind's name (`order`, `stock reservation`). */
const KIND = /^[\w .:-]{1,64}$/

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
 * `/dashboard/api/*` and a Server-Sent Events stream of change notices. It shows the subjects the
 * contexts declare (`ContextDashboard`), whatever they are. Read-only but for the demo a context
 * may declare: retries go through the admin API with the operator's token.
 */
export function registerDashboardRoutes(app: Hono<any>, observability: Observability, options: { heartbeatMs?: number } = {}): void {
  const { reader, deliveryLog } = observability

  app.get('/', (c) => {
    c.header('Content-Security-Policy', PAGE_CSP)
    c.header('X-Content-Type-Options', 'nosniff')
    c.header('Referrer-Policy', 'no-referrer')
    c.header('Cache-Control', 'no-cache')
    return c.html(DASHBOARD_HTML)
  })
  app.get('/dashboard/assets/dashboard.js', (c) => asset(c, DASHBOARD_JS, 'text/javascript; charset=utf-8'))
  app.get('/dashboard/assets/dashboard.css', (c) => asset(c, DASHBOARD_CSS, 'text/css; charset=utf-8'))
  registerSubjectRoutes(app, reader)
  registerDemoRoute(app, reader)
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
  registerStreamRoute(app, observability.feed, options.heartbeatMs ?? 5_000)
}

/** The subjects of the kind asked for (`?kind=`, default the first declared) and one subject's timeline. */
function registerSubjectRoutes(app: Hono<any>, reader: TimelineReader): void {
  const kindOf = (c: Context): string | undefined | null => {
    const kind = c.req.query('kind')
    return kind === undefined || kind === '' ? undefined : KIND.test(kind) ? kind : null
  }
  app.get('/dashboard/api/subjects', async (c) => {
    const kind = kindOf(c)
    if (kind === null) return problem(c, { title: 'Invalid request', status: 400, code: 'REQUEST.INVALID', detail: "kind is a subject kind's name" })
    return c.json(await reader.subjects(clampInt(c.req.query('limit'), 30, 1, 200), kind))
  })
  app.get('/dashboard/api/subjects/:id/timeline', async (c) => {
    const id = c.req.param('id')
    const kind = kindOf(c)
    const timeline = NAME.test(id) && kind !== null ? await reader.timeline(id, kind) : undefined
    if (!timeline) return problem(c, { title: 'Not found', status: 404, code: 'SUBJECT.NOT_FOUND', detail: `No subject ${id.slice(0, 128)}` })
    return c.json(timeline)
  })
}

/** `POST /dashboard/api/demo {scenario, kind?}`: runs a scenario of the demo a context declared. */
function registerDemoRoute(app: Hono<any>, reader: TimelineReader): void {
  // JSON only: a cross-site form (text/plain, no preflight) cannot start a demo.
  app.post('/dashboard/api/demo', requireJson, async (c) => {
    const body = (await c.req.json().catch(() => undefined)) as { scenario?: unknown; kind?: unknown } | undefined
    const kind = typeof body?.kind === 'string' ? body.kind : undefined
    const demo = reader.demo(kind)
    const scenario = demo?.scenarios.find((s) => s.name === body?.scenario)
    if (!demo) return problem(c, { title: 'Not found', status: 404, code: 'DEMO.NONE', detail: 'This service declares no demo for that subject kind' })
    if (!scenario)
      return problem(c, { title: 'Invalid request', status: 400, code: 'REQUEST.INVALID', detail: "Send { scenario } naming one of the demo's scenarios" })
    const started = await demo.start(scenario.name)
    return c.json({ id: started.id, kind: kind ?? reader.service().subjects[0]?.name ?? null }, 201)
  })
}

/** Server-Sent Events: a `ready` notice with the markers, then `change` notices, and keep-alives. */
function registerStreamRoute(app: Hono<any>, feed: Observability['feed'], heartbeatMs: number): void {
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
