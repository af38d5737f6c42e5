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

/**
 * Parses a delivery: one CloudEvents 1.0 event in structured mode, with a non-empty `id`; throws
 * on anything else. Binary mode is refused because QStash's signature covers the body and the URL,
 * never the `ce-*` headers: anyone holding a captured delivery could re-send its signed body with
 * a new `ce-id` (past the inbox) or `ce-type`. A missing `id` is refused too, where the SDK would
 * make up a random one, which no dedupe could ever match.
 */
export function parseCloudEvent(headers: Record<string, string>, body: string): CloudEvent<unknown> {
  const contentType = Object.entries(headers).find(([name]) => name.toLowerCase() === 'content-type')?.[1] ?? ''
  if (!/^application\/cloudevents\+json\s*(;|$)/i.test(contentType)) {
    throw new Error('only structured mode (Content-Type: application/cloudevents+json) is accepted: the signature does not cover ce-* headers')
  }
  const envelope = JSON.parse(body) as { specversion?: unknown; id?: unknown } | null
  if (envelope?.specversion !== '1.0') throw new Error('specversion must be "1.0"')
  if (typeof envelope.id !== 'string' || envelope.id.trim() === '') throw new Error('id must be a non-empty string')
  // Only the content type reaches the SDK: no header can add to or override the signed body.
  const parsed = HTTP.toEvent({ headers: { 'content-type': contentType }, body })
  if (Array.isArray(parsed)) throw new Error('Batched CloudEvents are not accepted')
  return parsed as CloudEvent<unknown>
}
