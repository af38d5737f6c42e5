import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api'
import type { Context, MiddlewareHandler } from 'hono'
import { createMiddleware } from 'hono/factory'
import { INSTRUMENTATION_SCOPE, MESSAGING_CONSUMER_GROUP_NAME, MESSAGING_OPERATION_NAME, type MessageIdentity, messageAttributes } from './attributes.ts'
import { recordFailure } from './instrumentation.ts'
import type { Logger } from './logger.ts'
import type { HeraldInstruments } from './metrics.ts'
import { setRequestTraceId } from './request-log.ts'

type Kind = 'subscriber' | 'handler'

interface Incoming {
  readonly identity: MessageIdentity
  readonly carrier: Record<string, string>
}

/** Identity and trace context of a delivery: a structured CloudEvent, or an after-commit job. */
async function incoming(c: Context, kind: Kind): Promise<Incoming> {
  const carrier: Record<string, string> = {}
  const take = (traceparent: unknown, tracestate: unknown) => {
    if (typeof traceparent === 'string') carrier.traceparent = traceparent
    if (typeof tracestate === 'string') carrier.tracestate = tracestate
  }
  try {
    // Structured mode only (binary mode is refused: its ce-* headers are not signed).
    const body = JSON.parse(await c.req.text()) as Record<string, unknown>
    if (kind === 'subscriber') {
      take(body.traceparent, body.tracestate)
      const [id, type, source, subject] = [body.id, body.type, body.source, body.subject].map((v) => (typeof v === 'string' ? v : undefined))
      return { identity: { id, type, source, subject }, carrier }
    }
    const event = (body.event ?? {}) as Record<string, unknown>
    take(event.traceparent, event.tracestate)
    return {
      identity: { id: typeof body.jobId === 'string' ? body.jobId : undefined, type: `job ${c.req.param('name')}`, subject: String(event.aggregateId ?? '') },
      carrier,
    }
  } catch {
    return { identity: {}, carrier }
  }
}

/** `processed`, `duplicate`, or what the status tells QStash (`rejected` goes to the DLQ, `failed` is retried). */
export async function deliveryOutcome(response: Response): Promise<string> {
  if (response.status === 200) {
    try {
      const { status } = (await response.clone().json()) as { status?: string }
      return status ?? 'processed'
    } catch {
      return 'processed'
    }
  }
  if (response.status === 489) return 'rejected'
  if (response.status === 401) return 'unauthorized'
  return response.status === 409 ? 'conflict' : 'failed'
}

/** The `target` label of a delivery whose path names no context or handler this service runs. */
export const UNKNOWN_TARGET = '(unknown)'

/**
 * A CONSUMER span per delivery, a child of the PRODUCER span whose context the CloudEvent's
 * `traceparent` extension (or the job's event) carries: a retry is one more CONSUMER span in the
 * same trace. Counts deliveries by target and outcome and times them. Mounted after signature
 * verification, beside the delivery log. `known` says which path segments are a context or
 * handler of this service: anything else is counted as `(unknown)`, so no path text ever becomes a
 * metric series of its own.
 */
export function traceDeliveries(
  kind: Kind,
  instruments: HeraldInstruments,
  logger?: Logger,
  known: (name: string) => boolean = () => false,
): MiddlewareHandler {
  return createMiddleware(async function traceDelivery(c, next) {
    const { identity, carrier } = await incoming(c, kind)
    const named = (kind === 'subscriber' ? c.req.param('context') : c.req.param('name')) ?? ''
    const target = known(named) ? named : UNKNOWN_TARGET
    const parent = carrier.traceparent ? propagation.extract(ROOT_CONTEXT, carrier) : ROOT_CONTEXT
    const attributes = {
      ...messageAttributes(identity, 'process'),
      [MESSAGING_OPERATION_NAME]: kind === 'subscriber' ? 'deliver' : 'job',
      [MESSAGING_CONSUMER_GROUP_NAME]: target,
      'herald.delivery.retried': Number(c.req.header('Upstash-Retried') ?? 0) || 0,
      ...(c.req.header('Upstash-Message-Id') ? { 'herald.qstash.message_id': c.req.header('Upstash-Message-Id')! } : {}),
    }
    const span = trace.getTracer(INSTRUMENTATION_SCOPE).startSpan(`process ${identity.type ?? target}`, { kind: SpanKind.CONSUMER, attributes }, parent)
    setRequestTraceId(c, span.spanContext().traceId)
    const started = performance.now()
    let outcome = 'failed'
    try {
      await context.with(trace.setSpan(parent, span), next)
      outcome = await deliveryOutcome(c.res)
      span.setAttributes({ 'http.response.status_code': c.res.status, 'herald.delivery.outcome': outcome })
      if (c.res.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR })
    } catch (error) {
      recordFailure(span, error)
      throw error
    } finally {
      span.end()
      instruments.deliveries.add(1, { kind, target, outcome })
      instruments.handlerDuration.record((performance.now() - started) / 1000, { handler: target, phase: kind === 'subscriber' ? 'delivery' : 'job' })
      // Processed is the normal case (the request line has it); anything else gets a line of its own.
      if (outcome !== 'processed' && logger) {
        const line = {
          kind,
          target,
          outcome,
          status: c.res.status,
          eventId: identity.id,
          eventType: identity.type,
          retried: attributes['herald.delivery.retried'],
        }
        if (outcome === 'duplicate') logger.info('delivery', line)
        else logger.warn('delivery', line)
      }
    }
  })
}
