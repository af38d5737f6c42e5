/**
 * The message log: `GET /v2/logs` (QStash's REST path) and `GET /v2/events` (what the SDK's
 * `client.logs()` calls), newest first, `{ cursor?, logs, events }` (the same entries under both
 * names: the SDK reads `events`, the REST docs show `logs`). `cursor` pages to older entries.
 */
import type { Context, Hono } from 'hono'
import { statesOf } from '../events.ts'
import { HttpError } from '../model.ts'
import type { EventFilter } from '../store.ts'
import type { RouteDeps } from './deps.ts'
import { COMMON_FILTERS, countParam, cursorParam, messageFilter } from './filters.ts'

const LOG_FILTERS = [...COMMON_FILTERS, 'messageId', 'messageIds', 'state', 'host', 'path'] as const

function logFilter(c: Context): EventFilter {
  const { filter, rest } = messageFilter(c, LOG_FILTERS)
  const states = rest.state?.flatMap((state) => {
    const known = statesOf(state)
    if (!known) throw new HttpError(400, `invalid state: ${state}`)
    return known
  })
  return { ...filter, states, beforeSeq: cursorParam(c) }
}

export function logRoutes(app: Hono, { store }: RouteDeps): void {
  const list = async (c: Context) => {
    const filter = logFilter(c)
    const count = countParam(c)
    const rows = await store.listEvents(filter, count + 1)
    const page = rows.slice(0, count)
    const last = page[page.length - 1]
    const entries = page.map((row) => row.payload)
    return c.json({ cursor: rows.length > count && last ? String(last.seq) : undefined, logs: entries, events: entries })
  }
  app.get('/v2/logs', list)
  app.get('/v2/events', list)
}
