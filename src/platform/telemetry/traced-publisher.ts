import { context, propagation, ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api'
import type { OutboundMessage, Publisher } from '../messaging/publisher.ts'
import { INSTRUMENTATION_SCOPE, MESSAGING_OPERATION_NAME, type MessageIdentity, messageAttributes } from './attributes.ts'
import { recordFailure } from './instrumentation.ts'
import type { HeraldInstruments } from './metrics.ts'

interface Carrier {
  traceparent?: string
  tracestate?: string
}

/** What a message body says about itself, and the object that carries its trace context. */
function read(message: OutboundMessage): { identity: MessageIdentity; body: Record<string, unknown>; carrier: Carrier } | undefined {
  try {
    const body = JSON.parse(message.body) as Record<string, unknown>
    if (message.contentType === 'application/cloudevents+json') {
      const { id, type, source, subject } = body as Record<string, string | undefined>
      return { identity: { id, type, source, subject }, body, carrier: body as Carrier }
    }
    // An after-commit job: { jobId, handler, event } with the trace context on the event.
    const event = body.event as (Carrier & { aggregateId?: string }) | undefined
    if (typeof body.jobId !== 'string' || !event || typeof event !== 'object') return undefined
    return { identity: { id: body.jobId, type: `job ${String(body.handler)}`, subject: event.aggregateId }, body, carrier: event }
  } catch {
    return undefined
  }
}

/**
 * The relay's publishes as PRODUCER spans, one per outbox row, each a child of the span that
 * recorded the row (its stamped `traceparent`). The message then leaves with the PRODUCER span's
 * own trace context, so the subscriber's CONSUMER span is its child, every retry included. Also
 * counts published rows and publish errors.
 *
 * It wraps the Publisher rather than living in the relay, so the relay stays as it is.
 */
export function tracedPublisher(inner: Publisher, instruments: HeraldInstruments): Publisher {
  return {
    async publish(message) {
      const destination = 'urlGroup' in message.destination ? message.destination.urlGroup : 'job'
      const parsed = read(message)
      const parent = parsed?.carrier.traceparent ? propagation.extract(ROOT_CONTEXT, { ...parsed.carrier }) : context.active()
      const name = `publish ${parsed?.identity.type ?? destination}`
      const attributes = { ...messageAttributes(parsed?.identity ?? {}, 'send'), [MESSAGING_OPERATION_NAME]: 'publish' }
      const span = trace.getTracer(INSTRUMENTATION_SCOPE).startSpan(name, { kind: SpanKind.PRODUCER, attributes }, parent)
      let outgoing = message
      if (parsed && span.isRecording()) {
        const carrier: Carrier = {}
        propagation.inject(trace.setSpan(parent, span), carrier)
        delete parsed.carrier.tracestate
        Object.assign(parsed.carrier, carrier)
        outgoing = { ...message, body: JSON.stringify(parsed.body) }
      }
      try {
        const messageId = await inner.publish(outgoing)
        span.setAttribute('herald.qstash.message_id', messageId)
        instruments.published.add(1, { destination })
        return messageId
      } catch (error) {
        recordFailure(span, error)
        instruments.publishErrors.add(1, { destination })
        throw error
      } finally {
        span.end()
      }
    },
  }
}
