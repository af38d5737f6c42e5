import { afterEach, describe, expect, it } from 'bun:test'
import { type ContextHarness, contextHarness } from 'herald/testing'
import { libraryContexts } from './app.ts'
import { LoanReturnedV1 } from './contracts.ts'

// The library over real HTTP: a temp libSQL file, the local QStash-compatible broker, signed
// deliveries. The loan period is short so the due-date reminder (a delayed QStash message to
// the service's own route) fires within a test; QStash delays have one-second granularity.

let h: ContextHarness
afterEach(async () => h?.stop())

const start = (loanPeriodMs: number) => contextHarness({ contexts: libraryContexts({ loanPeriodMs, lateReturnsBeforeSuspension: 1 }) })

const post = (path: string, body?: unknown) =>
  h.request(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) })
const get = async <T = any>(path: string): Promise<T> => (await h.request(path)).json() as Promise<T>

async function lentLoan(memberId: string, bookId: string): Promise<string> {
  const created = await post('/loans', { memberId, bookId })
  expect(created.status).toBe(201)
  const { loanId, status } = await created.json()
  expect(status).toBe('requested')
  const lent = await post(`/loans/${loanId}/lend`)
  expect(lent.status).toBe(200)
  expect((await lent.json()).status).toBe('lent')
  return loanId
}

describe('library loans', () => {
  it('lends a book, reminds when it falls due, takes it back late, and the member is suspended', async () => {
    h = await start(300)
    const loanId = await lentLoan('ada', 'dune')

    const overdue = await h.waitFor(
      async () => {
        const loan = await get(`/loans/${loanId}`)
        return loan.status === 'overdue' ? loan : undefined
      },
      { what: 'the due-date reminder' },
    )
    expect(overdue.remindedAt >= overdue.dueAt).toBe(true)

    const returned = await post(`/loans/${loanId}/return`)
    expect(returned.status).toBe(200)
    expect(await get(`/loans/${loanId}`)).toMatchObject({ status: 'returned', late: true })

    // LoanReturned.v2 reaches members, which suspends ada and says so; loans hears MemberSuspended.
    const standing = await h.waitFor(
      async () => {
        const s = await get('/members/ada')
        return s.suspendedAt ? s : undefined
      },
      { what: 'members to record the late return' },
    )
    expect(standing).toMatchObject({ returns: 1, lateReturns: 1, unknownReturns: 0 })
    await h.waitFor(async () => (await get('/borrowers/ada')).suspendedAt !== null, { what: 'loans to hear MemberSuspended' })

    const refused = await post('/loans', { memberId: 'ada', bookId: 'emma' })
    expect(refused.status).toBe(409)
    expect(refused.headers.get('Content-Type')).toBe('application/problem+json')
    expect(await refused.json()).toMatchObject({ code: 'LOAN.MEMBER_SUSPENDED' })
  })

  it('takes a book back on time: no reminder, no suspension', async () => {
    h = await start(60_000)
    const loanId = await lentLoan('grace', 'emma')
    expect((await post(`/loans/${loanId}/return`)).status).toBe(200)
    const standing = await h.waitFor(
      async () => {
        const s = await get('/members/grace')
        return s.returns === 1 ? s : undefined
      },
      { what: 'members to record the return' },
    )
    expect(standing).toMatchObject({ lateReturns: 0, suspendedAt: null })
    expect(await get(`/loans/${loanId}`)).toMatchObject({ status: 'returned', late: false, remindedAt: null })
  })

  it('refuses an illegal transition with 409 problem+json and changes nothing', async () => {
    h = await start(60_000)
    const { loanId } = await (await post('/loans', { memberId: 'ada', bookId: 'dune' })).json()
    const refused = await post(`/loans/${loanId}/return`)
    expect(refused.status).toBe(409)
    expect(refused.headers.get('Content-Type')).toBe('application/problem+json')
    expect(await refused.json()).toMatchObject({ status: 409, code: 'LOAN.INVALID_TRANSITION', details: { status: 'requested', action: 'returned' } })
    expect(await get(`/loans/${loanId}`)).toMatchObject({ status: 'requested', version: 1 })
    const { events } = await get(`/events?aggregateType=Loan&aggregateId=${loanId}`)
    expect(events.map((e: { type: string }) => e.type)).toEqual(['LoanRequested'])
  })

  it('accepts a v1 LoanReturned from an older producer, upcast with lateness "unknown"', async () => {
    h = await start(60_000)
    await h.publish(LoanReturnedV1, 'loan-from-2025', { loanId: 'loan-from-2025', memberId: 'iris', bookId: 'ulysses' })
    const standing = await h.waitFor(
      async () => {
        const s = await get('/members/iris')
        return s.returns === 1 ? s : undefined
      },
      { what: 'the v1 delivery to be handled' },
    )
    expect(standing).toMatchObject({ lateReturns: 0, unknownReturns: 1, suspendedAt: null })
  })

  it('shows its loans on the dashboard: each with its status, member and facts, and its chain into members', async () => {
    h = await start(60_000)
    const kept = await lentLoan('alan', 'solaris')
    const returned = await lentLoan('alan', 'dune')
    expect((await post(`/loans/${returned}/return`)).status).toBe(200)

    const service = await get('/dashboard/api/service')
    expect(service.subjects).toEqual([expect.objectContaining({ name: 'loan', plural: 'loans', context: 'loans', demo: [] })])
    expect(service.subjects[0].statuses.statuses.map((s: { status: string }) => s.status)).toEqual(['requested', 'lent', 'overdue', 'returned'])

    const listed = await get<any[]>('/dashboard/api/subjects')
    expect(listed.map((l) => [l.id, l.kind, l.status])).toEqual([
      [returned, 'loan', 'returned'],
      [kept, 'loan', 'lent'],
    ])
    expect(listed[0]).toMatchObject({
      title: 'Loan of dune',
      owner: { label: 'member', id: 'alan' },
      facts: [
        { label: 'book', value: 'dune' },
        { label: 'due', value: expect.any(String) },
        { label: 'returned', value: 'on time' },
      ],
      failingDeliveries: 0,
    })

    // The returned loan's chain reaches the members context, as one causation tree.
    const timeline = await h.waitFor(
      async () => {
        const t = await get(`/dashboard/api/subjects/${returned}/timeline`)
        const names: string[] = []
        const walk = (nodes: any[]) => {
          for (const n of nodes) {
            names.push(n.kind === 'delivery' ? `delivery ${n.target} ${n.state}` : `${n.kind} ${n.type ?? ''}`.trim())
            walk(n.children)
          }
        }
        walk(t.roots)
        return names.includes('delivery members delivered') ? { t, names } : undefined
      },
      { what: 'the LoanReturned delivery to members on the dashboard' },
    )
    expect(timeline.t.subject).toMatchObject({ id: returned, kind: 'loan', status: 'returned' })
    expect(timeline.names).toEqual(expect.arrayContaining(['domain LoanReturned', 'integration herald.loans.LoanReturned.v2', 'delivery members delivered']))
  })
})
