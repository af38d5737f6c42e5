import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi'
import type { Catalog } from '../src/catalog/catalog.ts'
import type { Notifications } from '../src/notifications/notifications.ts'
import type { RouteEnv } from './support/context.ts'
import { commonProblems, jsonResponse } from './support/schemas.ts'

const CatalogItemSchema = z
  .object({ id: z.string(), name: z.string(), price: z.number(), stock: z.int(), reserved: z.int(), available: z.int() })
  .openapi('CatalogItem')

const MailSchema = z
  .object({
    id: z.string(),
    buyerId: z.string(),
    to: z.string(),
    kind: z.string(),
    subject: z.string(),
    body: z.string(),
    eventId: z.string(),
    createdAt: z.string(),
  })
  .openapi('Mail')

const itemsRoute = createRoute({
  method: 'get',
  path: '/catalog/items',
  tags: ['catalog'],
  responses: { 200: jsonResponse(CatalogItemSchema.array(), 'Products with stock'), ...commonProblems },
})

const mailboxRoute = createRoute({
  method: 'get',
  path: '/notifications',
  tags: ['notifications'],
  summary: 'The dev mail sink',
  request: { query: z.object({ buyerId: z.string().min(1).max(100).optional() }) },
  responses: { 200: jsonResponse(MailSchema.array(), 'Mails, oldest first'), ...commonProblems },
})

export function registerCatalogAndNotificationRoutes(app: OpenAPIHono<RouteEnv>, catalog: Catalog, notifications: Notifications): void {
  app.openapi(itemsRoute, async (c) => c.json(await catalog.items(), 200))
  app.openapi(mailboxRoute, async (c) => c.json(await notifications.mailbox(c.req.valid('query').buyerId), 200))
}
