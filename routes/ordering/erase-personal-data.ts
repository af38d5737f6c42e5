import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi'
import type { Ordering } from '../../src/ordering/index.ts'
import { adminSecurity, commandMeta, jsonResponse, problemResponse, type RouteEnv, unauthorized } from '../../src/platform/hono/index.ts'

const BuyerIdParam = z.object({
  id: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .openapi({ param: { name: 'id', in: 'path' } }),
})

const ErasedSchema = z.object({ buyerId: z.string(), erasedAt: z.string(), version: z.int() }).openapi('ErasedPersonalData')

const erasePersonalDataRoute = createRoute({
  method: 'delete',
  path: '/admin/buyers/{id}/personal-data',
  tags: ['admin'],
  security: adminSecurity,
  summary: "Erase a buyer's personal data (crypto-shredding)",
  description:
    "Deletes the buyer's data key and records BuyerPersonalDataErased in one commit: their name, email, street and card holder " +
    'name read "[erased]" everywhere from then on (events, orders, the dashboard), while every event still loads, replays and ' +
    'reconciles. Their integration events still in the outbox lose those fields, and `herald.ordering.BuyerPersonalDataErased.v1` ' +
    'tells subscribers to erase theirs. Asking again erases again (a later order may have brought a new key).',
  request: { params: BuyerIdParam },
  responses: {
    200: jsonResponse(ErasedSchema, 'Erased'),
    401: unauthorized,
    404: problemResponse('No such buyer'),
  },
})

/** `DELETE /admin/buyers/{id}/personal-data`: an operator's route (the toolkit guards `/admin/*` with the admin token). */
export function registerErasePersonalDataRoute(app: OpenAPIHono<RouteEnv>, ordering: Ordering): void {
  app.openapi(erasePersonalDataRoute, async (c) => c.json(await ordering.erasePersonalData(c.req.valid('param').id, commandMeta(c)), 200))
}
