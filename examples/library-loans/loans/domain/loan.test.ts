import { describe, it } from 'bun:test'
import { aggregateSpec } from 'herald/testing'
import type { LoanBecameOverdue, LoanEvent, LoanLent, LoanRequested, LoanReturned } from './loan.events.ts'
import { Loan } from './loan.ts'

const spec = aggregateSpec<Loan, LoanEvent>((events) => (events.length > 0 ? Loan.fromHistory(events) : undefined))

const requested: LoanRequested = { type: 'LoanRequested', data: { loanId: 'l-1', memberId: 'ada', bookId: 'dune', requestedAt: '2026-03-01T10:00:00.000Z' } }
const lent: LoanLent = { type: 'LoanLent', data: { lentAt: '2026-03-01T10:05:00.000Z', dueAt: '2026-03-15T10:05:00.000Z' } }
const overdue: LoanBecameOverdue = { type: 'LoanBecameOverdue', data: { remindedAt: '2026-03-15T10:05:01.000Z' } }
const returned: LoanReturned = { type: 'LoanReturned', data: { returnedAt: '2026-03-10T09:00:00.000Z', late: false } }

describe('Loan', () => {
  it('is requested', () => {
    spec
      .given([])
      .when(() => Loan.request(requested.data))
      .then([requested])
  })

  describe('when requested', () => {
    it('is lent until its due date', () => {
      spec
        .given([requested])
        .when((loan) => loan!.lend(lent.data))
        .then([lent])
    })
    it('cannot be returned or marked overdue', () => {
      spec
        .given([requested])
        .when((loan) => loan!.return({ returnedAt: '2026-03-02T00:00:00.000Z' }))
        .thenThrows('LOAN.INVALID_TRANSITION')
      spec
        .given([requested])
        .when((loan) => loan!.markOverdue({ remindedAt: '2026-03-02T00:00:00.000Z' }))
        .thenThrows('LOAN.INVALID_TRANSITION')
    })
  })

  describe('when lent', () => {
    it('comes back on time before its due date', () => {
      spec
        .given([requested, lent])
        .when((loan) => loan!.return({ returnedAt: '2026-03-10T09:00:00.000Z' }))
        .then([returned])
    })
    it('comes back late after its due date, even unreminded', () => {
      spec
        .given([requested, lent])
        .when((loan) => loan!.return({ returnedAt: '2026-03-16T09:00:00.000Z' }))
        .then([{ type: 'LoanReturned', data: { returnedAt: '2026-03-16T09:00:00.000Z', late: true } }])
    })
    it('cannot be lent twice', () => {
      spec
        .given([requested, lent])
        .when((loan) => loan!.lend({ lentAt: 'x', dueAt: 'y' }))
        .thenThrows('LOAN.INVALID_TRANSITION')
    })
  })

  describe('when overdue', () => {
    it('comes back late', () => {
      spec
        .given([requested, lent, overdue])
        .when((loan) => loan!.return({ returnedAt: '2026-03-15T11:00:00.000Z' }))
        .then([{ type: 'LoanReturned', data: { returnedAt: '2026-03-15T11:00:00.000Z', late: true } }])
    })
  })

  describe('when returned', () => {
    it('refuses every further transition', () => {
      for (const act of [
        (l: Loan) => l.return({ returnedAt: 'z' }),
        (l: Loan) => l.lend({ lentAt: 'x', dueAt: 'y' }),
        (l: Loan) => l.markOverdue({ remindedAt: 'z' }),
      ]) {
        spec
          .given([requested, lent, returned])
          .when((loan) => act(loan!))
          .thenThrows('LOAN.INVALID_TRANSITION')
      }
    })
  })
})
