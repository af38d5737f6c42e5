/**
 * The dead letter queue, as the SDK's `client.dlq` calls it:
 * - `GET /v2/dlq?…filters&count&cursor` → `{ messages, cursor? }`; `GET /v2/dlq/{dlqId}` → one entry
 * - `DELETE /v2/dlq/{dlqId}`; `DELETE /v2/dlq?dlqIds=…|filters` → `{ deleted, cursor? }`
 * - `POST /v2/dlq/retry?dlqIds=…|filters` → `{ responses: [{ messageId }], cursor? }`
 * - `POST /v2/dlq/retry/{dlqId}` → `{ messageId }` (a convenience for curl, not used by the SDK)
 * A retried entry leaves the DLQ and is published again as a NEW message (new id, retry count 0).
 */
import type { Context, Hono } from 'hono'
import { HttpError } from '../model.ts'
import { dlqPayload } from '../payloads.ts'
import type { DlqFilter } from '../store.ts'
import type { RouteDeps } from './deps.ts'
import { COMMON_FILTERS, countParam, cursorParam, messageFilter } from './filters.ts'

/** As QStash: the DLQ refuses host/path (message cancel and logs take them). */
const DLQ_FILTERS = [...COMMON_FILTERS, 'dlqIds', 'messageId', 'responseStatus'] as const

function dlqFilter(c: Context): DlqFilter {
  const { filter, rest } = messageFilter(c, DLQ_FILTERS)
  const statuses = rest.responseStatus?.map(Number)
  if (statuses?.some((status) => !Number.isInteger(status))) throw new HttpError(400, 'invalid responseStatus')
  return { ...filter, dlqIds: rest.dlqIds, responseStatuses: statuses, afterSeq: cursorParam(c) }
}

export function dlqRoutes(app: Hono, { engine, store }: RouteDeps): void {
  app.get('/v2/dlq', async (c) => {
    const { records, cursor } = await engine.dlqPage(dlqFilter(c), countParam(c))
    return c.json({ messages: records.map(dlqPayload), cursor })
  })

  app.post('/v2/dlq/retry', async (c) => {
    const filter = dlqFilter(c)
    const { messageIds, cursor } = await engine.retryDlq(filter, countParam(c, filter.dlqIds?.length))
    return c.json({ responses: messageIds.map((messageId) => ({ messageId })), cursor })
  })

  app.post('/v2/dlq/retry/:dlqId', async (c) => {
    const { messageIds } = await engine.retryDlq({ dlqIds: [c.req.param('dlqId')] }, 1)
    if (messageIds.length === 0) throw new HttpError(404, 'dlq message not found')
    return c.json({ messageId: messageIds[0] })
  })

  app.get('/v2/dlq/:dlqId', async (c) => {
    const record = await store.getDlq(c.req.param('dlqId'))
    if (!record) throw new HttpError(404, 'dlq message not found')
    return c.json(dlqPayload(record))
  })

  app.delete('/v2/dlq/:dlqId', async (c) => {
    const { deleted } = await engine.deleteDlq({ dlqIds: [c.req.param('dlqId')] }, 1)
    if (deleted === 0) throw new HttpError(404, 'dlq message not found')
    return c.json({ deleted })
  })

  app.delete('/v2/dlq', async (c) => {
    const filter = dlqFilter(c)
    return c.json(await engine.deleteDlq(filter, countParam(c, filter.dlqIds?.length)))
  })
}
