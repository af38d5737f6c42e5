import { createRoute, type OpenAPIHono } from '@hono/zod-openapi'
import { OrderNotFound } from '../../src/ordering/application/commands/order-commands.ts'
import type { Ordering } from '../../src/ordering/application/ordering.api.ts'
import { mayAccess } from '../../src/platform/hono/auth.ts'
import type { RouteEnv } from '../../src/platform/hono/context.ts'
import { StoredEventSchema } from '../../src/platform/hono/events.ts'
import { commonProblems, jsonResponse, problemResponse } from '../../src/platform/hono/schemas.ts'
import type { EventStoreReader } from '../../src/platform/store/event-store.ts'
import { OrderIdParam } from './orders.schemas.ts'

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

/** `GET /orders/{id}/events`: one order's stream from the event store. */
export function registerOrderEventsRoute(app: OpenAPIHono<RouteEnv>, events: EventStoreReader, ordering: Ordering): void {
  app.openapi(orderEventsRoute, async (c) => {
    const { id } = c.req.valid('param')
    const stream = await events.stream('Order', id)
    // The stream is the truth (it may outlive a lost row): its OrderStarted names the buyer.
    const owner = (await ordering.queries.getOrder(id))?.buyerId ?? (stream[0]?.data as { buyer?: { id?: string } } | undefined)?.buyer?.id
    if (owner === undefined || !mayAccess(c.var.caller, owner)) throw new OrderNotFound(id) // missing, or another buyer's
    return c.json(stream, 200)
  })
}
