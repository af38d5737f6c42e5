import { type Meter, metrics } from '@opentelemetry/api'
import { INSTRUMENTATION_SCOPE } from './attributes.ts'

/**
 * Herald's instruments, made through the OTel metrics API. They are created when the service is
 * composed (after an entry registered its MeterProvider: the metrics API has no proxy, a meter
 * taken earlier stays a no-op). Attributes are low-cardinality names only: contexts, handlers,
 * commands, outcomes.
 */
export function heraldInstruments(meter: Meter = metrics.getMeter(INSTRUMENTATION_SCOPE)) {
  return {
    meter,
    commandConflicts: meter.createCounter('herald.command.conflicts', { description: 'Command attempts that lost an optimistic-concurrency race' }),
    commandRetries: meter.createCounter('herald.command.retries', { description: 'Command attempts re-run after a conflict' }),
    handlerDuration: meter.createHistogram('herald.handler.duration', {
      description: 'Time a handler took: in-transaction handlers, integration-event handlers and after-commit jobs (per delivery)',
      unit: 's',
      advice: { explicitBucketBoundaries: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] },
    }),
    deliveries: meter.createCounter('herald.deliveries', { description: 'QStash deliveries answered, by context (or job) and outcome' }),
    published: meter.createCounter('herald.relay.published', { description: 'Outbox rows handed to the broker' }),
    publishErrors: meter.createCounter('herald.relay.publish.errors', { description: 'Publishes of outbox rows the broker refused or never answered' }),
  }
}

export type HeraldInstruments = ReturnType<typeof heraldInstruments>
