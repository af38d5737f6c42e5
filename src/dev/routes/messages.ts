/**
 * `GET /v2/messages/{id}` (pending messages only: a delivered or dead-lettered message is gone,
 * as in QStash) and cancellation: `DELETE /v2/messages/{id}` → `{ cancelled: 1 }` and the bulk
 * `DELETE /v2/messages?messageIds=…|filters|(nothing = all)` → `{ cancelled: n }`. With filters,
 * `count` caps how many matches are cancelled, oldest first (the SDK sends 100 unless told).
 */
import type { Hono } from 'hono'
import { matchesMessage } from '../message-filter.ts'
import { HttpError } from '../model.ts'
import { messagePayload } from '../payloads.ts'
import type { RouteDeps } from './deps.ts'
import { COMMON_FILTERS, countParam, messageFilter } from './filters.ts'

const CANCEL_FILTERS = [...COMMON_FILTERS, 'messageIds', 'host', 'path'] as const

export function messageRoutes(app: Hono, { engine }: RouteDeps): void {
  app.get('/v2/messages/:id', (c) => {
    const message = engine.getMessage(c.req.param('id'))
    if (!message) throw new HttpError(404, 'message not found')
    return c.json(messagePayload(message))
  })

  app.delete('/v2/messages/:id', async (c) => {
    const cancelled = await engine.cancel([c.req.param('id')])
    if (cancelled === 0) throw new HttpError(404, 'message not found')
    return c.json({ cancelled })
  })

  app.delete('/v2/messages', async (c) => {
    const { filter } = messageFilter(c, CANCEL_FILTERS)
    if (filter.messageIds) return c.json({ cancelled: await engine.cancel(filter.messageIds) })
    const limit = c.req.query('count') === undefined ? Infinity : countParam(c)
    return c.json({ cancelled: await engine.cancel((message) => matchesMessage(filter, message), limit) })
  })
}
