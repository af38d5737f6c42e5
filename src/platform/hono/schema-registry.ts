import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi'
import type { Env } from 'hono'
import { type ContractRegistry, eventType, parseSchemaKey, schemaKey } from '../../kernel/index.ts'
import { dataschemaUrl } from '../messaging/cloud-events.ts'
import { plainRoute } from './plain-route.ts'
import { problem } from './problem.ts'
import { jsonResponse, problemResponse } from './schemas.ts'

const SchemaSummary = z.object({
  type: z.string().openapi({ example: 'herald.ordering.OrderStatusChangedToPaid' }),
  version: z.int(),
  cloudEventType: z.string().openapi({ example: 'herald.ordering.OrderStatusChangedToPaid.v1' }),
  source: z.string(),
  description: z.string(),
  dataschema: z.url(),
})

const schemaList = createRoute({
  method: 'get',
  path: '/schemas',
  tags: ['contracts'],
  summary: 'Every integration-event contract (type, major version, owner)',
  responses: { 200: jsonResponse(z.array(SchemaSummary), 'The registry') },
})

const schemaDocument = createRoute({
  method: 'get',
  path: '/schemas/{type}/{version}',
  tags: ['contracts'],
  summary: "A contract's JSON Schema (draft 2020-12): what a CloudEvent's `dataschema` points to",
  request: {
    params: z.object({ type: z.string().openapi({ example: 'herald.ordering.BuyerRegistered' }), version: z.string().openapi({ example: '2' }) }),
  },
  responses: { 200: jsonResponse(z.record(z.string(), z.unknown()), 'JSON Schema'), 404: problemResponse('No such event type and version') },
})

/** The integration-event schema registry: what each CloudEvent's `dataschema` points to. */
export function registerSchemaRoutes<E extends Env>(app: OpenAPIHono<E>, contracts: ContractRegistry, publicUrl: string): void {
  plainRoute(app, schemaList, (c) =>
    c.json(
      contracts.all().map((contract) => ({
        type: schemaKey(contract),
        version: contract.version,
        cloudEventType: eventType(contract),
        source: contract.source,
        description: contract.description,
        dataschema: dataschemaUrl(publicUrl, { source: contract.source, type: contract.name, version: contract.version }),
      })),
    ),
  )

  plainRoute(app, schemaDocument, (c) => {
    const { source, name } = parseSchemaKey(c.req.param('type')) ?? {}
    const version = Number(c.req.param('version'))
    const contract = source && name && Number.isInteger(version) ? contracts.get(source, name, version) : undefined
    if (!contract) {
      return problem(c, { title: 'Not found', status: 404, code: 'SCHEMA.NOT_FOUND', detail: 'No such event type and version' })
    }
    return c.json({
      $id: dataschemaUrl(publicUrl, { source: contract.source, type: contract.name, version: contract.version }),
      title: eventType(contract),
      description: contract.description,
      ...z.toJSONSchema(contract.schema, { target: 'draft-2020-12', io: 'input' }),
    })
  })
}
