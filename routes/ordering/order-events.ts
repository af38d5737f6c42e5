import { createRoute, type OpenAPIHono } from '@hono/zod-openapi'
import { commonProblems, jsonResponse, mayAccess, problemResponse, type RouteEnv, StoredEventSchema } from '../../src/platform/hono/index.ts'
import { OrderNotFound, type Ordering } from '../../src/ordering/index.ts'
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
export function registerOrderEventsRoute(app: OpenAPIHono<RouteEnv>, ordering: Ordering): void {
  app.openapi(orderEventsRoute, async (c) => {
    const { id } = c.req.valid('param')
    const { buyerId, events } = await ordering.orderEvents(id)
    if (buyerId === undefined || !mayAccess(c.var.caller, buyerId)) throw new OrderNotFound(id) // missing, or another buyer's
    return c.json(events, 200)
  })
}
