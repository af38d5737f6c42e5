import type { Meter } from '@opentelemetry/api'
import type { Database } from '../store/database.ts'
import { outboxStore } from './store.ts'

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
