import type { Hono } from 'hono'
import { z } from 'zod'
import { type ContractRegistry, eventType, parseSchemaKey, schemaKey } from '../../kernel/index.ts'
import { dataschemaUrl } from '../messaging/cloud-events.ts'
import { problem } from './problem.ts'

/** The integration-event schema registry: what each CloudEvent's `dataschema` points to. */
export function registerSchemaRoutes(app: Hono<any>, contracts: ContractRegistry, publicUrl: string): void {
  app.get('/schemas', (c) =>
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

  app.get('/schemas/:type/:version', (c) => {
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
