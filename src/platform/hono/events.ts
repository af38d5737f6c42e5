import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi'
import type { EventStoreReader } from '../store/event-store.ts'
import type { RouteEnv } from './context.ts'
import { commonProblems, jsonResponse } from './schemas.ts'

export const StoredEventSchema = z
  .object({
    position: z.int(),
    id: z.string(),
    type: z.string(),
    aggregateType: z.string(),
    aggregateId: z.string(),
    version: z.int(),
    schemaVersion: z.int(),
    data: z.unknown(),
    occurredAt: z.string(),
    correlationId: z.string(),
    causationId: z.string().nullable(),
    commitId: z.string().nullable().optional().openapi({ description: 'The commit that wrote it: what else that commit wrote carries the same id' }),
  })
  .openapi('StoredEvent')

const instant = z.iso.datetime({ offset: true })
const EventsQuery = z.object({
  aggregateType: z.string().min(1).max(100).optional(),
  aggregateId: z.string().min(1).max(100).optional(),
  type: z.string().min(1).max(200).optional(),
  from: instant.optional(),
  to: instant.optional(),
  after: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
})

const EventPageSchema = z
  .object({ events: StoredEventSchema.array(), next: z.int().nullable().openapi({ description: 'Pass as `after` for the next page' }) })
  .openapi('EventPage')

const eventsRoute = createRoute({
  method: 'get',
  path: '/events',
  tags: ['events'],
  summary: 'The event store, paged by global position',
  request: { query: EventsQuery },
  responses: { 200: jsonResponse(EventPageSchema, 'A page'), ...commonProblems },
})

export function registerEventRoutes(app: OpenAPIHono<RouteEnv>, events: EventStoreReader): void {
  app.openapi(eventsRoute, async (c) => {
    const query = c.req.valid('query')
    const limit = query.limit ?? 100
    const page = await events.query({ ...query, limit })
    return c.json({ events: page, next: page.length === limit ? (page.at(-1)?.position ?? null) : null }, 200)
  })
}
