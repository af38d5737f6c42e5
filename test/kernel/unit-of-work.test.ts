import { describe, expect, it } from 'bun:test'
import {
  AggregateRoot,
  CascadeDepthError,
  CommandRunner,
  ConcurrencyError,
  type Committer,
  Dispatcher,
  type EventShape,
  type HandlerContext,
  type Repository,
  type Statement,
  UnitOfWork,
} from '../../src/kernel/index.ts'
import { sqlJournal } from '../../src/platform/store/journal.ts'
import { sequentialIds } from '../support/clock.ts'

// Unit tests of the kernel alone: a toy aggregate and an in-memory committer that records
// batches. The libSQL-backed behaviour is covered by the ordering integration tests.

type PingEvent = EventShape<'Pinged', { n: number }> | EventShape<'Ponged', { n: number }>

class Ball extends AggregateRoot<{ hits: number }, PingEvent> {
  static readonly type = 'Ball'
  constructor(id: string, hits = 0, version = 0) {
    super(Ball.type, id, { hits }, version)
  }
  ping(n: number) {
    this.record({ type: 'Pinged', data: { n } })
  }
  pong(n: number) {
    this.record({ type: 'Ponged', data: { n } })
  }
  protected evolve(state: { hits: number }) {
    return { hits: state.hits + 1 }
  }
}

function memoryRepository(): Repository<Ball> & { loads: number } {
  const repo = {
    aggregateType: Ball.type,
    loads: 0,
    async load(id: string) {
      repo.loads++
      return new Ball(id, 1, 1)
    },
    save: (ball: Ball, loaded: number): Statement[] => [{ sql: 'save', args: [ball.id, loaded, ball.version] }],
  }
  return repo
}

function recordingCommitter(): Committer & { batches: Statement[][] } {
  const batches: Statement[][] = []
  return { batches, commit: async (s) => void batches.push([...s]) }
}

const uowFor = (dispatcher: Dispatcher<PingEvent, HandlerContext>, maxDepth?: number) =>
  new UnitOfWork({
    dispatcher,
    now: '2026-01-01T00:00:00.000Z',
    newId: sequentialIds(),
    correlationId: 'corr-1',
    ...(maxDepth === undefined ? {} : { maxDepth }),
  })

describe('Aggregate', () => {
  it('records events without dispatching them', () => {
    let called = false
    new Dispatcher<PingEvent, HandlerContext>().on(
      'Pinged',
      function never() {
        called = true
      },
      { name: 'never' },
    )
    const ball = new Ball('b')
    ball.ping(1)
    expect(called).toBe(false)
    expect(ball.pendingEvents.map((e) => [e.type, e.aggregateVersion])).toEqual([['Pinged', 1]])
    expect(ball.pullEvents()).toHaveLength(1)
    expect(ball.pendingEvents).toHaveLength(0)
    ball.pong(2)
    ball.clearEvents()
    expect(ball.pendingEvents).toHaveLength(0)
  })

  it('records again after a pull without sharing pending events between aggregates', () => {
    // Aggregates with nothing pending share one frozen empty list; recording must replace it, never push to it.
    const a = new Ball('a')
    const b = new Ball('b')
    a.ping(1)
    expect(a.pullEvents().map((e) => e.data)).toEqual([{ n: 1 }])
    expect(a.pullEvents()).toEqual([])
    a.pong(2)
    a.ping(3)
    expect(b.pendingEvents).toEqual([])
    expect(a.pullEvents().map((e) => [e.type, e.aggregateVersion])).toEqual([
      ['Ponged', 2],
      ['Pinged', 3],
    ])
    b.ping(4)
    expect(b.pullEvents().map((e) => e.aggregateId)).toEqual(['b'])
    expect(a.pendingEvents).toEqual([])
  })
})

describe('Dispatcher', () => {
  it('refuses two handlers with one declared name, naming it', () => {
    const d = new Dispatcher<PingEvent, HandlerContext>().on('Pinged', function a() {}, { name: 'pongWhenPinged' })
    expect(() => d.on('Ponged', function b() {}, { name: 'pongWhenPinged' })).toThrow(/"pongWhenPinged" is already registered/)
  })

  it('refuses a handler without a declared name, even a named function (a minifier renames functions)', () => {
    const d = new Dispatcher<PingEvent, HandlerContext>()
    const register = d.on.bind(d) as (type: string, handle: () => void, options?: object) => unknown
    expect(() => register('Pinged', function pongWhenPinged() {})).toThrow(/handler for Pinged needs a name/)
    expect(() => register('Pinged', () => {}, { phase: 'after-commit' })).toThrow(/handler for Pinged needs a name/)
    expect(() => register('Pinged', () => {}, { name: 'has space' })).toThrow(/invalid name "has space"/)
  })

  it('keys a handler by its declared name, not by its function name', () => {
    const renamed = function x() {}
    const d = new Dispatcher<PingEvent, HandlerContext>().on('Pinged', renamed, { name: 'pongWhenPinged', phase: 'after-commit' })
    expect(d.handlerNamed('pongWhenPinged')?.handle).toBe(renamed)
    expect(d.handlerNamed('x')).toBeUndefined()
  })
})

describe('UnitOfWork', () => {
  it('returns the same instance for a second load of one aggregate (identity map)', async () => {
    const repo = memoryRepository()
    const uow = uowFor(new Dispatcher())
    const first = await uow.load(repo, 'b1')
    expect(await uow.load(repo, 'b1')).toBe(first!)
    expect(repo.loads).toBe(1)
  })

  it('keeps the identity map past the point where it switches from a scan to an index', async () => {
    const repo = memoryRepository()
    const uow = uowFor(new Dispatcher())
    const ids = Array.from({ length: 20 }, (_, i) => `b${i}`)
    const first = await Promise.all(ids.map((id) => uow.load(repo, id)))
    const again = await Promise.all(ids.map((id) => uow.load(repo, id)))
    for (const [i, ball] of again.entries()) expect(ball).toBe(first[i]!)
    expect(repo.loads).toBe(20)
    expect(() => uow.add(repo, new Ball('b3'))).toThrow('Ball:b3 is already tracked')
    expect(() => uow.add(repo, new Ball('b19'))).toThrow('Ball:b19 is already tracked')
    const small = uowFor(new Dispatcher())
    small.add(repo, new Ball('x'))
    expect(() => small.add(repo, new Ball('x'))).toThrow('Ball:x is already tracked')
  })

  it('gives handlers a context whose members can be destructured', async () => {
    const dispatcher = new Dispatcher<PingEvent, HandlerContext>().on(
      'Pinged',
      function announceWhenPinged(event, { publish, newId, now, uow }) {
        uow.stage({ sql: 'note', args: [newId(), now] })
        publish({ type: 'BallPinged', source: 'toys', subject: event.aggregateId, data: { n: event.data.n } })
      },
      { name: 'announceWhenPinged' },
    )
    const uow = uowFor(dispatcher)
    ;(await uow.load(memoryRepository(), 'b'))!.ping(5)
    const changeset = await uow.complete(sqlJournal)
    const [pinged] = changeset.events
    expect(changeset.statements.find((s) => s.sql === 'note')!.args).toEqual(['id-000002', '2026-01-01T00:00:00.000Z'])
    expect(changeset.outbox.map((m) => [m.topic, (m.payload as { causationId: string }).causationId])).toEqual([['herald.toys.BallPinged.v1', pinged!.id]])
  })

  it('counts cascade depth by generation, however many events a generation holds', async () => {
    const repo = memoryRepository()
    const dispatcher = new Dispatcher<PingEvent, HandlerContext>().on(
      'Pinged',
      async function pongWhenPinged(e, { uow }) {
        ;(await uow.load(repo, e.aggregateId))!.pong(e.data.n)
      },
      { name: 'pongWhenPinged' },
    )
    const uow = uowFor(dispatcher, 1)
    for (const id of ['b1', 'b2', 'b3']) (await uow.load(repo, id))!.ping(Number(id.slice(1)))
    const changeset = await uow.complete(sqlJournal)
    const byId = new Map(changeset.events.map((e) => [e.id, e]))
    expect(changeset.events.map((e) => `${e.type} ${e.aggregateId} ← ${e.causationId && byId.get(e.causationId)!.aggregateId}`)).toEqual([
      'Pinged b1 ← null',
      'Pinged b2 ← null',
      'Pinged b3 ← null',
      'Ponged b1 ← b1',
      'Ponged b2 ← b2',
      'Ponged b3 ← b3',
    ])
  })

  it('dispatches handler-raised events in order, stamps causation, and saves each aggregate once', async () => {
    const repo = memoryRepository()
    const seen: string[] = []
    const dispatcher = new Dispatcher<PingEvent, HandlerContext>()
      .on(
        'Pinged',
        async function pongWhenPinged(event, { uow }) {
          seen.push(`ping ${event.data.n}`)
          ;(await uow.load(repo, 'b1'))!.pong(event.data.n)
        },
        { name: 'pongWhenPinged' },
      )
      .on(
        'Ponged',
        function logWhenPonged(event) {
          seen.push(`pong ${event.data.n}`)
        },
        { name: 'logWhenPonged' },
      )
    const uow = uowFor(dispatcher)
    ;(await uow.load(repo, 'b1'))!.ping(7)
    const changeset = await uow.complete(sqlJournal)
    expect(seen).toEqual(['ping 7', 'pong 7'])
    const [ping, pong] = changeset.events
    expect(pong!.causationId).toBe(ping!.id)
    expect(changeset.events.map((e) => e.aggregateVersion)).toEqual([2, 3])
    expect(changeset.statements.filter((s) => s.sql === 'save')).toEqual([{ sql: 'save', args: ['b1', 1, 3] }])
  })

  it('fails an endless cascade with an error naming the chain', async () => {
    const repo = memoryRepository()
    const dispatcher = new Dispatcher<PingEvent, HandlerContext>()
      .on(
        'Pinged',
        async function pongWhenPinged(e, { uow }) {
          ;(await uow.load(repo, 'b'))!.pong(e.data.n)
        },
        { name: 'pongWhenPinged' },
      )
      .on(
        'Ponged',
        async function pingWhenPonged(e, { uow }) {
          ;(await uow.load(repo, 'b'))!.ping(e.data.n)
        },
        { name: 'pingWhenPonged' },
      )
    const uow = uowFor(dispatcher, 3)
    ;(await uow.load(repo, 'b'))!.ping(1)
    const error = await uow.complete(sqlJournal).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(CascadeDepthError)
    expect((error as CascadeDepthError).message).toContain('Pinged → Ponged → Pinged → Ponged → Pinged')
    expect((error as CascadeDepthError).code).toBe('DISPATCH.CASCADE_TOO_DEEP')
  })

  it('stages after-commit handlers in the outbox instead of running them', async () => {
    let ran = false
    const dispatcher = new Dispatcher<PingEvent, HandlerContext>().on(
      'Pinged',
      function notifyWhenPinged() {
        ran = true
      },
      { name: 'notifyWhenPinged', phase: 'after-commit' },
    )
    const uow = uowFor(dispatcher)
    ;(await uow.load(memoryRepository(), 'b'))!.ping(1)
    const changeset = await uow.complete(sqlJournal)
    expect(ran).toBe(false)
    expect(changeset.outbox.map((m) => [m.kind, m.topic])).toEqual([['after-commit', 'handler:notifyWhenPinged']])
  })
})

describe('CommandRunner', () => {
  it('retries a concurrency conflict on fresh state, then gives up with ConcurrencyError', async () => {
    let attempts = 0
    const committer: Committer = {
      async commit() {
        attempts++
        throw new ConcurrencyError()
      },
    }
    const runner = new CommandRunner({
      dispatcher: new Dispatcher(),
      committer,
      journal: sqlJournal,
      clock: () => '2026-01-01T00:00:00.000Z',
      newId: sequentialIds(),
      maxAttempts: 3,
    })
    const repo = memoryRepository()
    const error = await runner.run(async (uow) => (await uow.load(repo, 'b'))!.ping(1)).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConcurrencyError)
    expect(attempts).toBe(3)
    expect(repo.loads).toBe(3)
  })

  it('commits nothing when the work records nothing', async () => {
    const committer = recordingCommitter()
    const runner = new CommandRunner({
      dispatcher: new Dispatcher(),
      committer,
      journal: sqlJournal,
      clock: () => 'now',
      newId: sequentialIds(),
    })
    await runner.run(async () => 'read only')
    expect(committer.batches).toHaveLength(0)
  })
})
