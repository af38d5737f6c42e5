import { afterEach, describe, expect, it } from 'bun:test'
import { Client } from '@upstash/qstash'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Broker, startBroker } from '../../src/dev/broker.ts'
import type { IntegrationEvent, OutboxMessage } from '../../src/kernel/index.ts'
import { qstashPublisher } from '../../src/platform/messaging/publisher.ts'
import { DEV_QSTASH } from '../../src/platform/messaging/qstash.ts'
import { outboxRelay } from '../../src/platform/outbox/relay.ts'
import { sqlJournal } from '../../src/platform/store/journal.ts'
import { tempDatabase } from '../support/database.ts'
import { waitFor } from '../support/wait-for.ts'

/*
 * Ordered delivery per aggregate, through the real @upstash/qstash Client against the local
 * broker: the relay publishes an ordered event type with flow control keyed by the subject at
 * parallelism 1. The receiver holds every delivery until the test lets it go, so "never two of one
 * subject in flight" is observed, not timed.
 */

const TOPIC = 'herald.ordering.OrderStatusChangedToStockConfirmed.v1'

let cleanup: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const step of cleanup.reverse()) await step()
  cleanup = []
})

function holdingReceiver() {
  const arrived: { subject: string; sequence: number }[] = []
  const held: { subject: string; release: () => void }[] = []
  const inFlight = new Map<string, number>()
  let maxInFlight = 0
  const server = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    async fetch(request) {
      const event = (await request.json()) as { subject: string; sequence: number }
      arrived.push({ subject: event.subject, sequence: event.sequence })
      inFlight.set(event.subject, (inFlight.get(event.subject) ?? 0) + 1)
      maxInFlight = Math.max(maxInFlight, ...inFlight.values())
      await new Promise<void>((release) => held.push({ subject: event.subject, release }))
      inFlight.set(event.subject, inFlight.get(event.subject)! - 1)
      return new Response('ok')
    },
  })
  return {
    url: `http://127.0.0.1:${server.port}/events`,
    arrived,
    held,
    inFlight: (subject: string) => inFlight.get(subject) ?? 0,
    maxInFlight: () => maxInFlight,
    releaseOne(subject: string) {
      const index = held.findIndex((h) => h.subject === subject)
      if (index < 0) throw new Error(`nothing of ${subject} is held`)
      held.splice(index, 1)[0]!.release()
    },
    stop: async () => {
      for (const h of held.splice(0)) h.release()
      server.stop(true)
    },
  }
}

async function setUp(ordered: boolean) {
  const broker: Broker = await startBroker({ port: 0, dbUrl: `file:${join(mkdtempSync(join(tmpdir(), 'herald-ordered-')), 'q.db')}`, retryDelayScale: 0.001 })
  const database = await tempDatabase([])
  const receiver = holdingReceiver()
  cleanup.push(
    async () => broker.stop(),
    async () => database.dispose(),
    receiver.stop,
  )
  const qstash = new Client({ baseUrl: broker.url, token: DEV_QSTASH.token })
  await qstash.urlGroups.addEndpoints({ name: TOPIC, endpoints: [{ name: 'probe', url: receiver.url }] })
  let tick = 0
  const clock = () => new Date(Date.UTC(2026, 0, 1, 0, 0, 0, tick++)).toISOString()
  const relay = outboxRelay({
    database,
    publisher: qstashPublisher(qstash, { retries: 0 }),
    publicUrl: 'http://herald.test',
    clock,
    ordered: (type) => ordered && type === TOPIC,
  })
  const enqueue = async (events: { subject: string; sequence: number }[]) => {
    const rows: OutboxMessage[] = events.map(({ subject, sequence }) => {
      const id = crypto.randomUUID()
      const event: IntegrationEvent = {
        id,
        type: 'OrderStatusChangedToStockConfirmed',
        version: 1,
        source: 'ordering',
        subject,
        time: clock(),
        data: { orderId: subject },
        correlationId: subject,
        causationId: null,
        sequence,
      }
      return { id, kind: 'integration', topic: TOPIC, payload: event, createdAt: clock() }
    })
    await database.client.batch(sqlJournal.enqueue(rows) as never[], 'write')
  }
  return { relay, receiver, enqueue }
}

describe('ordered delivery per subject', () => {
  it('delivers a burst for one subject one at a time, in sequence order, while another subject runs beside it', async () => {
    const { relay, receiver, enqueue } = await setUp(true)
    await enqueue([1, 2, 3, 4].map((sequence) => ({ subject: 'order-a', sequence })).concat([{ subject: 'order-b', sequence: 1 }]))
    expect(await relay.sweep()).toEqual({ published: 5, failed: 0 })

    // order-a's first and order-b's only event are in flight together: different subjects run in parallel.
    await waitFor(() => receiver.inFlight('order-a') === 1 && receiver.inFlight('order-b') === 1, { what: 'a and b in flight together' })
    for (let next = 2; next <= 4; next++) {
      expect(receiver.inFlight('order-a')).toBe(1)
      receiver.releaseOne('order-a')
      await waitFor(() => receiver.arrived.filter((a) => a.subject === 'order-a').length === next, { what: `order-a #${next}` })
    }
    receiver.releaseOne('order-a')
    receiver.releaseOne('order-b')
    expect(receiver.arrived.filter((a) => a.subject === 'order-a').map((a) => a.sequence)).toEqual([1, 2, 3, 4])
    expect(receiver.maxInFlight()).toBe(1)
  })

  it('stays unordered by default: a burst for one subject arrives all at once', async () => {
    const { relay, receiver, enqueue } = await setUp(false)
    await enqueue([1, 2, 3, 4].map((sequence) => ({ subject: 'order-a', sequence })))
    await relay.sweep()
    await waitFor(() => receiver.inFlight('order-a') === 4, { what: 'all four in flight at once' })
    expect(receiver.maxInFlight()).toBe(4)
  })
})
