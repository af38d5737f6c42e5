import { context, propagation, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api'
import type { Instrumentation, TraceContext } from '../../kernel/index.ts'
import { DB_BATCH_SIZE, INSTRUMENTATION_SCOPE } from './attributes.ts'
import type { HeraldInstruments } from './metrics.ts'

const tracer = () => trace.getTracer(INSTRUMENTATION_SCOPE)

/** Marks a span failed with the error's class and message (messages carry no personal data; bodies never reach them). */
export function recordFailure(span: Span, error: unknown): void {
  if (error instanceof Error) span.recordException({ name: error.name, message: error.message })
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.name : 'error' })
}

/** The active span's W3C trace context, when there is a sampled-or-not span and a propagator. */
export function activeTraceContext(): TraceContext | undefined {
  if (!trace.getActiveSpan()) return undefined
  const carrier: Record<string, string> = {}
  propagation.inject(context.active(), carrier)
  if (!carrier.traceparent) return undefined
  return carrier.tracestate ? { traceparent: carrier.traceparent, tracestate: carrier.tracestate } : { traceparent: carrier.traceparent }
}

/**
 * The kernel's telemetry hooks on `@opentelemetry/api`: a span per command (with its attempts and
 * conflict retries), per commit (statement count) and per in-transaction handler; the active
 * span's trace context stamped on integration events and jobs. A no-op until an SDK is registered.
 */
export function otelInstrumentation(instruments: HeraldInstruments): Instrumentation {
  return {
    command(given, run) {
      const name = given || 'anonymous'
      return tracer().startActiveSpan(`command ${name}`, { kind: SpanKind.INTERNAL, attributes: { 'herald.command.name': name } }, async (span) => {
        let retries = 0
        try {
          return await run({
            annotate(attributes) {
              span.setAttributes(attributes)
              // An anonymous command (a route's inline work) is named after what it recorded first.
              if (!given && attributes['herald.command.first_event']) span.updateName(`command → ${attributes['herald.command.first_event']}`)
            },
            conflict(attempt, retrying) {
              span.addEvent('herald.command.conflict', { 'herald.command.attempt': attempt, 'herald.command.retrying': retrying })
              instruments.commandConflicts.add(1, { command: name })
              if (retrying) {
                retries++
                instruments.commandRetries.add(1, { command: name })
              }
            },
          })
        } catch (error) {
          recordFailure(span, error)
          throw error
        } finally {
          span.setAttribute('herald.command.conflict_retries', retries)
          span.end()
        }
      })
    },

    commit(statementCount, run) {
      return tracer().startActiveSpan('commit', { kind: SpanKind.INTERNAL, attributes: { [DB_BATCH_SIZE]: statementCount } }, async (span) => {
        try {
          return await run()
        } catch (error) {
          recordFailure(span, error)
          throw error
        } finally {
          span.end()
        }
      })
    },

    handler(name, event, run) {
      const attributes = {
        'herald.handler.name': name,
        'herald.event.type': event.type,
        'herald.aggregate.type': event.aggregateType,
        'herald.aggregate.id': event.aggregateId,
      }
      return tracer().startActiveSpan(`handle ${event.type}`, { kind: SpanKind.INTERNAL, attributes }, (span) => {
        const started = performance.now()
        const done = (error?: unknown) => {
          instruments.handlerDuration.record((performance.now() - started) / 1000, { handler: name, phase: 'in-transaction' })
          if (error !== undefined) recordFailure(span, error)
          span.end()
        }
        try {
          const pending = run()
          if (!pending) return done()
          return pending.then(
            () => done(),
            (error: unknown) => {
              done(error)
              throw error
            },
          )
        } catch (error) {
          done(error)
          throw error
        }
      })
    },

    traceContext: activeTraceContext,
  }
}
