import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi'
import type { Env } from 'hono'
import type { Client } from '@upstash/qstash'
import { plainRoute } from '../plain-route.ts'
import type { Context } from 'hono'
import { scrubText } from '../../telemetry/logger.ts'
import { problem } from '../problem.ts'
import { jsonResponse, problemResponse } from '../schemas.ts'
import { adminSecurity, brokerMissing, brokerNotFound, noBroker, notFoundResponse, pathParams, unauthorized } from './responses.ts'

const DeadLetter = z.object({
  dlqId: z.string(),
  messageId: z.string(),
  url: z.string(),
  urlGroup: z.string().optional(),
  responseStatus: z.int().optional(),
  /** The last failed attempt's response body, scrubbed of emails, card numbers and tokens. */
  responseBody: z.string().optional(),
  /** Its first 300 characters (scrubbed), for a line on the dashboard. */
  responseExcerpt: z.string().optional(),
  /** The problem `code` the handler answered with, when the body is problem+json. */
  responseCode: z.string().optional(),
  /** Retries QStash made before giving up, and the retry-delay expression when one was set. */
  maxRetries: z.int().optional(),
  retryDelay: z.string().optional(),
  body: z.string().optional(),
  createdAt: z.number(),
})

/** QStash's dead-letter ids (`dlq_…` from the local broker, digits and dashes from QStash): letters, digits, `-` and `_` only. */
const dlqId = z.object({ dlqId: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, 'A dead-letter id: letters, digits, - and _') })

const deadLetterList = createRoute({
  method: 'get',
  path: '/admin/dead-letters',
  tags: ['admin'],
  security: adminSecurity,
  summary: "QStash's dead-letter queue",
  responses: { 200: jsonResponse(z.array(DeadLetter), 'Dead letters'), 401: unauthorized, 503: noBroker },
})

const deadLetterRetry = createRoute({
  method: 'post',
  path: '/admin/dead-letters/{dlqId}/retry',
  tags: ['admin'],
  security: adminSecurity,
  summary: 'Deliver a dead letter again',
  request: { params: dlqId },
  responses: {
    200: jsonResponse(z.object({ responses: z.array(z.object({ messageId: z.string() })), cursor: z.string().optional() }), 'Re-enqueued as a new message'),
    400: problemResponse('Not a dead-letter id'),
    401: unauthorized,
    404: notFoundResponse('dead letter'),
    503: noBroker,
  },
})

const deadLetterDelete = createRoute({
  method: 'delete',
  path: '/admin/dead-letters/{dlqId}',
  tags: ['admin'],
  security: adminSecurity,
  summary: 'Drop a dead letter',
  request: { params: dlqId },
  responses: {
    200: jsonResponse(z.object({ deleted: z.int(), cursor: z.string().optional() }), 'Deleted'),
    400: problemResponse('Not a dead-letter id'),
    401: unauthorized,
    404: notFoundResponse('dead letter'),
    503: noBroker,
  },
})

/** QStash's DLQ, proxied: each route answers with what the broker returned. */
export function registerDeadLetterRoutes<E extends Env>(app: OpenAPIHono<E>, qstash: Client | undefined): void {
  plainRoute(app, deadLetterList, async (c) => {
    if (!qstash) return brokerMissing(c)
    const { messages } = await qstash.dlq.listMessages()
    return c.json(messages.map(deadLetterView))
  })
  plainRoute(app, deadLetterRetry, async (c) => {
    if (!qstash) return brokerMissing(c)
    const params = pathParams(c, dlqId)
    if (params instanceof Response) return params
    // An unknown id is retried as nothing at all.
    const retried = await qstash.dlq.retry(params.dlqId)
    return retried.responses.length > 0 ? c.json(retried) : noSuchDeadLetter(c, params.dlqId)
  })
  plainRoute(app, deadLetterDelete, async (c) => {
    if (!qstash) return brokerMissing(c)
    const params = pathParams(c, dlqId)
    if (params instanceof Response) return params
    try {
      return c.json(await qstash.dlq.delete(encodeURIComponent(params.dlqId)))
    } catch (error) {
      if (brokerNotFound(error)) return noSuchDeadLetter(c, params.dlqId)
      throw error
    }
  })
}

const noSuchDeadLetter = (c: Context, id: string) =>
  problem(c, { title: 'Not found', status: 404, code: 'DEAD_LETTER.NOT_FOUND', detail: `No dead letter ${id}` })

type DlqMessage = Awaited<ReturnType<Client['dlq']['listMessages']>>['messages'][number]

/** A DLQ entry as the admin API lists it: what failed, how (status, code, a scrubbed excerpt), and how often QStash tried. */
function deadLetterView(m: DlqMessage) {
  // The response may come from any endpoint (an external subscriber too): never show it unscrubbed.
  const response = m.responseBody === undefined ? undefined : scrubText(m.responseBody)
  const code = problemCode(response)
  return {
    dlqId: m.dlqId,
    messageId: m.messageId,
    url: m.url,
    urlGroup: m.urlGroup ?? m.topicName,
    responseStatus: m.responseStatus,
    ...(response === undefined ? {} : { responseBody: response, responseExcerpt: response.slice(0, 300) }),
    ...(code ? { responseCode: code } : {}),
    ...(m.maxRetries === undefined ? {} : { maxRetries: m.maxRetries }),
    ...(m.retryDelayExpression ? { retryDelay: String(m.retryDelayExpression) } : {}),
    body: m.body,
    createdAt: m.createdAt,
  }
}

function problemCode(body: string | undefined): string | undefined {
  try {
    const code = (JSON.parse(body ?? '') as { code?: unknown }).code
    return typeof code === 'string' && code.length <= 100 ? code : undefined
  } catch {
    return undefined
  }
}
