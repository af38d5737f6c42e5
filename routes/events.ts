import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi'
import type { EventStoreReader } from '../src/platform/store/event-store.ts'
import type { Ordering } from '../src/ordering/index.ts'
import type { RouteEnv } from './support/context.ts'
import { OrderNotFound } from '../src/ordering/application/commands/change-order.ts'
import { commonProblems, jsonResponse, problemResponse } from './support/schemas.ts'
import { OrderIdParam } from './orders.schemas.ts'

const StoredEventSchema = z
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

const orderEventsRoute = createRoute({
  method: 'get',
  path: '/orders/{id}/events',
  tags: ['events'],
  summary: "The order's stored domain events, in order",
  request: { params: OrderIdParam },
  responses: {
    200: jsonResponse(StoredEventSchema.array(), 'Events'),
    404: problemResponse('No such order'),
    ...commonProblems,
  },
})

const eventsRoute = createRoute({
  method: 'get',
  path: '/events',
  tags: ['events'],
  summary: 'The event store, paged by global position',
  request: { query: EventsQuery },
  responses: { 200: jsonResponse(EventPageSchema, 'A page'), ...commonProblems },
})

export function registerEventRoutes(app: OpenAPIHono<RouteEnv>, events: EventStoreReader, ordering: Ordering): void {
  app.openapi(orderEventsRoute, async (c) => {
    const { id } = c.req.valid('param')
    const stream = await events.stream('Order', id)
    if (stream.length === 0 && !(await ordering.queries.getOrder(id))) {
      throw new OrderNotFound(id)
    }
    return c.json(stream, 200)
  })

  app.openapi(eventsRoute, async (c) => {
    const query = c.req.valid('query')
    const limit = query.limit ?? 100
    const page = await events.query({ ...query, limit })
    return c.json({ events: page, next: page.length === limit ? (page.at(-1)?.position ?? null) : null }, 200)
  })
}
