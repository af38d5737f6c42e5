import { createRoute } from '@hono/zod-openapi'
import { ForbiddenError } from '../../src/kernel/index.ts'
import { OrderNotFound, type Ordering, type StartOrderCommand } from '../../src/ordering/index.ts'
import {
  type Caller,
  callerScope,
  commandMeta,
  commonProblems,
  contextRoutes,
  jsonResponse,
  mayAccess,
  problemResponse,
  requireJson,
  userSubject,
} from '../../src/platform/hono/index.ts'
import { registerErasePersonalDataRoute } from './erase-personal-data.ts'
import { registerOrderEventsRoute } from './order-events.ts'
import { ListOrdersQuery, OrderIdParam, OrderSchema, StartedOrderSchema, StartOrderBody, StartOrderHeaders, TransitionResultSchema } from './orders.schemas.ts'

const startOrderRoute = createRoute({
  method: 'post',
  path: '/orders',
  tags: ['ordering'],
  summary: 'Start an order',
  request: {
    headers: StartOrderHeaders,
    body: { content: { 'application/json': { schema: StartOrderBody } }, required: true },
  },
  responses: {
    201: jsonResponse(StartedOrderSchema, 'Created; a replay of the same Idempotency-Key returns the first response'),
    ...commonProblems,
    415: problemResponse('Body is not JSON'),
    422: problemResponse('Domain rule refused the order, or Idempotency-Key reused with another body'),
  },
})

const getOrderRoute = createRoute({
  method: 'get',
  path: '/orders/{id}',
  tags: ['ordering'],
  request: { params: OrderIdParam },
  responses: { 200: jsonResponse(OrderSchema, 'The order'), 404: problemResponse('No such order'), ...commonProblems },
})

const listOrdersRoute = createRoute({
  method: 'get',
  path: '/orders',
  tags: ['ordering'],
  summary: 'Orders, newest first; filtered by buyer when buyerId is given',
  request: { query: ListOrdersQuery },
  responses: { 200: jsonResponse(OrderSchema.array(), 'Orders'), ...commonProblems },
})

const transitionRoute = (action: 'cancel' | 'ship') =>
  createRoute({
    method: 'post',
    path: `/orders/{id}/${action}`,
    tags: ['ordering'],
    request: { params: OrderIdParam },
    responses: {
      200: jsonResponse(TransitionResultSchema, 'Transition recorded'),
      404: problemResponse('No such order'),
      409: problemResponse('Illegal transition from the current status, or a concurrent change won'),
      ...commonProblems,
    },
  })

/** Command and query routes of the Ordering context: parse, build the command, call, map. */
export function orderingRoutes(ordering: Ordering) {
  const app = contextRoutes()
  app.on('POST', '/orders', requireJson)
  app.openapi(startOrderRoute, async (c) => {
    const body = c.req.valid('json')
    // A signed-in buyer orders for themself: the token's subject is the buyer.
    const buyer = userSubject(c.var.caller)
    if (buyer !== undefined && body.buyer.id !== buyer) throw new ForbiddenError('AUTH.FORBIDDEN', "buyer.id must be the token's subject")
    const key = c.req.valid('header')['idempotency-key']
    const outcome = await ordering.startOrder(
      toStartOrderCommand(body, c.var.newId(), c.var.clock()),
      // Keys are the caller's own. The fingerprint is only ever compared for a key: don't hash bodies that have none.
      { caller: callerScope(c.var.caller), key, fingerprint: key === undefined ? '' : await c.var.fingerprint(withoutCardSecrets(body)) },
      commandMeta(c),
    )
    c.header('Location', `/orders/${outcome.body.orderId}`)
    if (outcome.replayed) c.header('Idempotent-Replayed', 'true')
    return c.json(outcome.body, 201)
  })

  app.openapi(getOrderRoute, async (c) => c.json(await ownOrder(c.var.caller, c.req.valid('param').id), 200))

  app.openapi(listOrdersRoute, async (c) => {
    const query = c.req.valid('query')
    const buyer = userSubject(c.var.caller)
    if (buyer !== undefined && query.buyerId !== undefined && query.buyerId !== buyer) {
      throw new ForbiddenError('AUTH.FORBIDDEN', "A buyer lists only their own orders (buyerId must be the token's subject)")
    }
    return c.json(await ordering.queries.listOrders(buyer === undefined ? query : { ...query, buyerId: buyer }), 200)
  })

  app.openapi(transitionRoute('cancel'), async (c) => {
    const { id } = c.req.valid('param')
    await ownOrder(c.var.caller, id)
    return c.json(await ordering.cancelOrder(id, commandMeta(c)), 200)
  })
  app.openapi(transitionRoute('ship'), async (c) => {
    const { id } = c.req.valid('param')
    await ownOrder(c.var.caller, id)
    if (userSubject(c.var.caller) !== undefined) throw new ForbiddenError('AUTH.FORBIDDEN', 'Only an operator ships orders')
    return c.json(await ordering.shipOrder(id, commandMeta(c)), 200)
  })
  registerOrderEventsRoute(app, ordering)
  registerErasePersonalDataRoute(app, ordering)
  return app

  /** The order if the caller may see it; another buyer's order is "not found", like one that does not exist. */
  async function ownOrder(caller: Caller | undefined, orderId: string) {
    const order = await ordering.queries.getOrder(orderId)
    if (!order || !mayAccess(caller, order.buyerId)) throw new OrderNotFound(orderId)
    return order
  }
}

const cents = (dollars: number) => Math.round(dollars * 100)

/**
 * What identifies a start-order request for its Idempotency-Key: the body as the order keeps it.
 * Nothing derived from the CVV or the full card number is ever stored, even keyed; so a replay
 * that differs only there (same last four digits) is the same request.
 */
function withoutCardSecrets(body: StartOrderBody) {
  const { number, securityNumber: _never_stored, ...card } = body.card
  return { ...body, card: { ...card, last4: number.slice(-4) } }
}

function toStartOrderCommand(body: StartOrderBody, orderId: string, now: string): StartOrderCommand {
  const { number, securityNumber: _never_stored, ...card } = body.card
  return {
    orderId,
    buyer: body.buyer,
    address: body.address,
    card: { ...card, last4: number.slice(-4) },
    items: body.items.map((item) => ({ ...item, unitPrice: cents(item.unitPrice), discount: cents(item.discount ?? 0) })),
    startedAt: now,
    channel: 'api',
  }
}
