import { CloudEvent, HTTP } from 'cloudevents'
import { eventSource, eventType, type IntegrationEvent, schemaPath } from '../../kernel/index.ts'

/** Where a contract's JSON Schema is served: the CloudEvent's `dataschema`. */
export function dataschemaUrl(publicUrl: string, event: Pick<IntegrationEvent, 'source' | 'type' | 'version'>): string {
  return `${publicUrl}${schemaPath({ source: event.source, name: event.type, version: event.version })}`
}

/** An integration event as a CloudEvents 1.0 structured-mode body (https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/formats/json-format.md). */
export function toStructuredCloudEvent(event: IntegrationEvent, publicUrl: string): string {
  const cloudEvent = new CloudEvent({
    specversion: '1.0',
    id: event.id,
    source: eventSource(event.source),
    type: eventType({ source: event.source, name: event.type, version: event.version }),
    subject: event.subject,
    time: event.time,
    datacontenttype: 'application/json',
    dataschema: dataschemaUrl(publicUrl, event),
    data: event.data,
    correlationid: event.correlationId,
    ...(event.causationId ? { causationid: event.causationId } : {}),
    ...(event.sequence === undefined ? {} : { sequence: event.sequence }),
    ...(event.traceparent ? { traceparent: event.traceparent } : {}),
    ...(event.tracestate ? { tracestate: event.tracestate } : {}),
  })
  return String(HTTP.structured(cloudEvent).body)
}

/** Parses a delivery in structured or binary mode; throws on anything that is not a CloudEvent. */
export function parseCloudEvent(headers: Record<string, string>, body: string): CloudEvent<unknown> {
  const lowered = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]))
  const parsed = HTTP.toEvent({ headers: lowered, body })
  if (Array.isArray(parsed)) throw new Error('Batched CloudEvents are not accepted')
  return parsed as CloudEvent<unknown>
}
