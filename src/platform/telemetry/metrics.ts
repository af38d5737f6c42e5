import { type Meter, metrics } from '@opentelemetry/api'
import { outboxStore } from '../outbox/store.ts'
import type { Database } from '../store/database.ts'
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

/**
 * Gauges read from the outbox when metrics are collected (a scrape of `/metrics`, or an OTLP
 * export): rows pending and failed, and the age of the oldest pending row, the relay's lag.
 */
export function observeOutbox(meter: Meter, database: Database, clock: () => string = () => new Date().toISOString()) {
  const pending = meter.createObservableGauge('herald.outbox.pending', { description: 'Outbox rows not yet published' })
  const failed = meter.createObservableGauge('herald.outbox.failed', { description: 'Outbox rows that ran out of publish attempts (admin relays them)' })
  const lag = meter.createObservableGauge('herald.outbox.lag', { description: 'Age of the oldest pending outbox row', unit: 's' })
  const outbox = outboxStore(database)
  meter.addBatchObservableCallback(
    async (result) => {
      // A closed or busy database must not fail the whole collection: the gauges are then left out.
      const figures = await outbox.figures(['pending', 'failed']).catch(() => undefined)
      if (!figures) return
      const oldest = figures.pending.oldest
      result.observe(pending, figures.pending.count)
      result.observe(failed, figures.failed.count)
      result.observe(lag, oldest ? Math.max(0, (Date.parse(clock()) - Date.parse(oldest)) / 1000) : 0)
    },
    [pending, failed, lag],
  )
}
