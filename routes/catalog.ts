import { createRoute, z } from '@hono/zod-openapi'
import type { Catalog } from '../src/catalog/index.ts'
import { commonProblems, contextRoutes, jsonResponse } from '../src/platform/hono/index.ts'

const CatalogItemSchema = z
  .object({ id: z.string(), name: z.string(), price: z.number(), stock: z.int(), reserved: z.int(), available: z.int() })
  .openapi('CatalogItem')

const itemsRoute = createRoute({
  method: 'get',
  path: '/catalog/items',
  tags: ['catalog'],
  responses: { 200: jsonResponse(CatalogItemSchema.array(), 'Products with stock'), ...commonProblems },
})

export function catalogRoutes(catalog: Catalog) {
  return contextRoutes().openapi(itemsRoute, async (c) => c.json(await catalog.items(), 200))
}
