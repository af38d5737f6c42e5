import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi'
import type { Env } from 'hono'
import { type Contract, type ContractRegistry, eventSource, eventType, type Subscriber, subscriberPath } from '../../kernel/index.ts'
import { dataschemaUrl } from '../messaging/cloud-events.ts'
import { plainRoute } from './plain-route.ts'
import { jsonResponse } from './schemas.ts'

const key = (c: Contract) => `${c.source}_${c.name}_v${c.version}`

/** The CloudEvents structured-mode envelope around a contract's data (draft-07, AsyncAPI's default). */
function envelope(contract: Contract, publicUrl: string) {
  const { $schema: _, ...data } = z.toJSONSchema(contract.schema, { target: 'draft-7', io: 'input' }) as Record<string, unknown>
  return {
    type: 'object',
    required: ['specversion', 'id', 'source', 'type', 'subject', 'time', 'datacontenttype', 'dataschema', 'correlationid', 'data'],
    properties: {
      specversion: { const: '1.0' },
      id: { type: 'string', description: 'Event id; reused on every re-publish: deduplicate on it' },
      source: { const: eventSource(contract.source) },
      type: { const: eventType(contract) },
      subject: { type: 'string', description: 'Aggregate id' },
      time: { type: 'string', format: 'date-time' },
      datacontenttype: { const: 'application/json' },
      dataschema: { const: dataschemaUrl(publicUrl, { source: contract.source, type: contract.name, version: contract.version }) },
      correlationid: { type: 'string' },
      causationid: { type: 'string' },
      sequence: { type: 'integer', description: 'Aggregate version: spot stale or out-of-order events' },
      traceparent: { type: 'string', description: 'W3C trace context' },
      data,
    },
  }
}

const deliveryHeaders = {
  type: 'object',
  properties: {
    'Upstash-Signature': { type: 'string', description: 'HS256 JWT: iss Upstash, sub = delivery URL, body = base64url(SHA-256(raw body))' },
    'Upstash-Message-Id': { type: 'string' },
    'Upstash-Retried': { type: 'integer', description: 'Attempts before this one' },
  },
  required: ['Upstash-Signature'],
}

/** AsyncAPI 3.0: a channel per event type (its QStash URL group), who sends it, who receives it. */
export function asyncApiDocument(contracts: ContractRegistry, subscribers: readonly Subscriber[], publicUrl: string) {
  const channels: Record<string, unknown> = {}
  const operations: Record<string, unknown> = {}
  const messages: Record<string, unknown> = {}
  for (const contract of contracts.all()) {
    const id = key(contract)
    messages[id] = {
      name: eventType(contract),
      title: `${contract.name} v${contract.version}`,
      summary: contract.description,
      contentType: 'application/cloudevents+json',
      headers: deliveryHeaders,
      payload: envelope(contract, publicUrl),
      correlationId: { location: '$message.payload#/correlationid' },
    }
    channels[id] = {
      address: eventType(contract),
      title: `QStash URL group ${eventType(contract)}`,
      description: `${contract.description} Published by ${contract.source} through its outbox.`,
      messages: { [id]: { $ref: `#/components/messages/${id}` } },
    }
    operations[`${contract.source}_sends_${id}`] = {
      action: 'send',
      channel: { $ref: `#/channels/${id}` },
      summary: `${contract.source} publishes after its command commits`,
      messages: [{ $ref: `#/channels/${id}/messages/${id}` }],
    }
    for (const subscriber of subscribers.filter((s) => s.handlerFor(contract.source, contract.name))) {
      operations[`${subscriber.context}_receives_${id}`] = {
        action: 'receive',
        channel: { $ref: `#/channels/${id}` },
        summary: `${subscriber.context} handles it at POST ${publicUrl}${subscriberPath(subscriber.context)} (signed, deduplicated by id)`,
        messages: [{ $ref: `#/channels/${id}/messages/${id}` }],
      }
    }
  }
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Herald integration events',
      version: '0.1.0',
      description:
        'CloudEvents 1.0 (structured mode) delivered by Upstash QStash as signed HTTP POSTs. ' +
        'Answer 2xx when handled, 489 with Upstash-NonRetryable-Error: true to dead-letter, anything else to be retried.',
    },
    defaultContentType: 'application/cloudevents+json',
    servers: {
      qstash: { host: 'qstash.upstash.io', protocol: 'https', description: 'QStash; in dev the local broker on :8080' },
    },
    channels,
    operations,
    components: { messages },
  }
}

const asyncApiRoute = createRoute({
  method: 'get',
  path: '/asyncapi.json',
  tags: ['contracts'],
  summary: 'AsyncAPI 3.0: one channel per event type, who sends and who receives it',
  responses: { 200: jsonResponse(z.record(z.string(), z.unknown()), 'AsyncAPI document') },
})

export function registerAsyncApiRoute<E extends Env>(app: OpenAPIHono<E>, document: () => unknown): void {
  plainRoute(app, asyncApiRoute, (c) => c.json(document()))
}
