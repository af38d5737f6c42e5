import type { IntegrationEvent, Subscriber } from '../../src/kernel/index.ts'
import type { TestHerald } from './herald.ts'

/** Lets `parties` callers through together: each `arrive()`s, then awaits `gate`. */
export function barrier(parties: number) {
  let open!: () => void
  const gate = new Promise<void>((resolve) => (open = resolve))
  let arrived = 0
  return { gate, arrive: () => void (++arrived === parties && open()) }
}

export type Barrier = ReturnType<typeof barrier>

/**
 * Runs a delivery of `event` to `subscriber`'s handler as the service does: one command, re-run on
 * a conflict. With `hold`, the first attempt waits at the barrier after the handler ran (its reads
 * done, nothing committed), so two deliveries can be made to race deterministically.
 */
export function deliver(h: TestHerald, subscriber: Subscriber, event: IntegrationEvent, hold?: Barrier) {
  const subscription = subscriber.handlerFor(event.source, event.type)
  if (!subscription) throw new Error(`${subscriber.context} does not handle ${event.source}.${event.type}`)
  let attempts = 0
  const done = h.runner.run(async (uow) => {
    await subscription.handle(event, uow.context(event.id))
    if (++attempts === 1 && hold) {
      hold.arrive()
      await hold.gate
    }
  })
  return { done, attempts: () => attempts }
}

/** An integration event of `contract` as a delivery carries it, about `subject`; `meta` overrides the rest. */
export function delivered(
  contract: { source: string; name: string; version: number },
  id: string,
  subject: string,
  data: unknown,
  meta: Partial<IntegrationEvent> = {},
): IntegrationEvent {
  return {
    id,
    type: contract.name,
    version: contract.version,
    source: contract.source,
    subject,
    time: '2026-11-21T10:00:00.000Z',
    data,
    correlationId: subject,
    causationId: null,
    ...meta,
  }
}
