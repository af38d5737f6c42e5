/**
 * Figure 5 — the dispatcher. One domain event to 3 in-transaction handlers through the kernel
 * (a UnitOfWork per event: track the aggregate, `complete()` pulls and stamps the event, the
 * Dispatcher finds the handlers, each is awaited with its HandlerContext, the changeset is
 * built) versus what a user writes without it: stamp the event and await the 3 functions.
 * No HTTP, no database: the journal and repository return no statements. Both sides run the same
 * 3 handler bodies (each stages one statement with the event's data as JSON, like the mailer)
 * on inputs built before each batch; batches alternate, and the figure is the median of batches.
 */
import {
  AggregateRoot,
  type DomainEvent,
  Dispatcher,
  type HandlerContext,
  type Journal,
  type RecordedEvent,
  type Repository,
  type Statement,
  UnitOfWork,
} from '../../src/kernel/index.ts'
import { compare } from '../harness/micro.ts'
import { entry } from '../harness/report.ts'
import type { Figure } from '../harness/suite.ts'

type Placed = { type: 'OrderPlaced'; data: { orderId: string; buyerId: string; totalCents: number; items: { productId: string; units: number }[] } }

class BenchOrder extends AggregateRoot<{ placed: boolean }, Placed> {
  static readonly type = 'BenchOrder'
  static place(id: string): BenchOrder {
    const order = new BenchOrder(BenchOrder.type, id, { placed: false }, 0)
    order.record({ type: 'OrderPlaced', data: { orderId: id, buyerId: 'alice', totalCents: 4000, items: [{ productId: 'mug', units: 2 }] } })
    return order
  }
  protected evolve(): { placed: boolean } {
    return { placed: true }
  }
}

interface Sink {
  stage(...statements: Statement[]): void
}

/** The 3 handlers' bodies, shared by both sides. */
const stageRow = (table: string) => (event: DomainEvent, sink: Sink) =>
  sink.stage({ sql: `INSERT INTO ${table} (id, data) VALUES (?, ?)`, args: [event.id, JSON.stringify(event.data)] })
const bodies = [stageRow('projection_a'), stageRow('projection_b'), stageRow('projection_c')]

const noStatements: Journal = { appendEvents: () => [], enqueue: () => [] }
const repository: Repository<BenchOrder> = { aggregateType: BenchOrder.type, load: async () => undefined, save: () => [] }

let counter = 0
const newId = () => `id-${++counter}`
const NOW = '2026-11-21T10:00:00.000Z'

export const dispatcherFigure: Figure = {
  id: '5',
  isolated: true,
  title: 'Dispatcher: one event to 3 handlers, kernel vs direct calls',
  async run(config) {
    const dispatcher = new Dispatcher<Placed, HandlerContext>()
      .on(
        'OrderPlaced',
        async function first(event, ctx) {
          bodies[0]!(event, ctx.uow)
        },
        { name: 'first' },
      )
      .on(
        'OrderPlaced',
        async function second(event, ctx) {
          bodies[1]!(event, ctx.uow)
        },
        { name: 'second' },
      )
      .on(
        'OrderPlaced',
        async function third(event, ctx) {
          bodies[2]!(event, ctx.uow)
        },
        { name: 'third' },
      )
    const direct = [
      async (event: DomainEvent, sink: Sink) => bodies[0]!(event, sink),
      async (event: DomainEvent, sink: Sink) => bodies[1]!(event, sink),
      async (event: DomainEvent, sink: Sink) => bodies[2]!(event, sink),
    ]

    let aggregates: BenchOrder[] = []
    let recorded: RecordedEvent[] = []
    let staged = 0
    const iterations = config.quick ? 5_000 : 20_000
    const samples = config.quick ? 5 : 25

    // Kernel: UnitOfWork + Dispatcher, exactly the path a command's events take.
    const kernel = {
      prepare: (n: number) => {
        aggregates = Array.from({ length: n }, (_, i) => BenchOrder.place(`o-${i}`))
      },
      op: async (i: number) => {
        const uow = new UnitOfWork({ dispatcher, now: NOW, newId, correlationId: 'c-1' })
        uow.add(repository, aggregates[i]!)
        const changeset = await uow.complete(noStatements)
        staged += changeset.statements.length
      },
    }
    // Direct: stamp the same recorded event the same way and await the 3 functions.
    const plain = {
      prepare: (n: number) => {
        recorded = Array.from({ length: n }, (_, i) => BenchOrder.place(`o-${i}`).pullEvents()[0]!)
      },
      op: async (i: number) => {
        const statements: Statement[] = []
        const sink: Sink = { stage: (...s) => void statements.push(...s) }
        const event: DomainEvent = { ...recorded[i]!, id: newId(), occurredAt: NOW, correlationId: 'c-1', causationId: null }
        for (const handler of direct) await handler(event, sink)
        staged += statements.length
      },
    }
    const full = await compare({ samples, iterations, subject: kernel, baseline: plain })

    // The Dispatcher's own share: handlersFor + await each registration, vs the same direct loop.
    const ctx = new UnitOfWork({ dispatcher, now: NOW, newId, correlationId: 'c-1' }).context('cause')
    let events: DomainEvent[] = []
    const makeEvents = (n: number) => {
      events = Array.from({ length: n }, (_, i) => ({
        ...BenchOrder.place(`o-${i}`).pullEvents()[0]!,
        id: `e-${i}`,
        occurredAt: NOW,
        correlationId: 'c',
        causationId: null,
      }))
    }
    const dispatchOnly = await compare({
      samples,
      iterations,
      subject: {
        prepare: makeEvents,
        op: async (i: number) => {
          for (const handler of dispatcher.handlersFor('OrderPlaced', 'in-transaction')) await handler.handle(events[i]!, ctx)
        },
      },
      baseline: {
        prepare: makeEvents,
        op: async (i: number) => {
          for (const handler of direct) await handler(events[i]!, ctx.uow)
        },
      },
    })
    if (staged === 0) throw new Error('handlers never ran')
    config.log(`  kernel ${full.subject.toFixed(0)} ns/event vs direct ${full.baseline.toFixed(0)} ns/event (${samples} batches × ${iterations})`)
    config.log(`  dispatcher only ${dispatchOnly.subject.toFixed(0)} ns vs direct loop ${dispatchOnly.baseline.toFixed(0)} ns`)
    const notes = `median of ${samples} alternating batches × ${iterations} events; same 3 handler bodies`
    return [
      entry({
        name: '5 dispatcher: event → 3 handlers, UnitOfWork path',
        unit: 'ns/event',
        value: full.subject,
        baseline: full.baseline,
        target: { on: 'ratio', op: '<=', limit: 1.5 },
        notes: `${notes}; baseline = stamp the event and await the 3 functions`,
      }),
      entry({
        name: '5 dispatcher: kernel overhead per event (kernel − direct)',
        unit: 'ns/event',
        value: full.subject - full.baseline,
        notes: `${notes}; what the UnitOfWork path adds per event, whatever the handlers cost`,
      }),
      entry({
        name: '5 dispatcher: handlersFor + await, Dispatcher alone',
        unit: 'ns/event',
        value: dispatchOnly.subject,
        baseline: dispatchOnly.baseline,
        notes: `${notes}; already-stamped events; baseline = a for-loop over the 3 functions`,
      }),
    ]
  },
}
