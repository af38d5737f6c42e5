import { desc, inArray, sql } from 'drizzle-orm'
import type { ContextDashboard, SubjectSummary } from 'herald'
import type { LoanState } from './domain/loan.ts'
import { type LoansDb, loans } from './infrastructure/schema.ts'

/** A loan as the dashboard lists it: its status, the member who holds it, the book and the due date. */
function summary(row: { state: string }): SubjectSummary {
  const loan = JSON.parse(row.state) as LoanState
  return {
    id: loan.id,
    title: `Loan of ${loan.bookId}`,
    status: loan.status,
    owner: { label: 'member', id: loan.memberId },
    facts: [
      { label: 'book', value: loan.bookId },
      ...(loan.dueAt ? [{ label: 'due', value: loan.dueAt.slice(0, 16).replace('T', ' ') }] : []),
      ...(loan.late === null ? [] : [{ label: 'returned', value: loan.late ? 'late' : 'on time' }]),
    ],
    startedAt: loan.requestedAt,
  }
}

/**
 * What the event-flow dashboard shows of the loans context: loans, each the start of a chain
 * (lent → reminded → returned → the members context's reaction), and how a loan moves.
 */
export function loansDashboard(db: LoansDb): ContextDashboard {
  return {
    subjects: {
      name: 'loan',
      aggregateType: 'Loan',
      hint: 'A lent book is reminded about once its loan period (LOAN_PERIOD_MS) has passed.',
      statuses: {
        statuses: [
          { status: 'requested', reachedBy: 'LoanRequested', tone: 'warn' },
          { status: 'lent', reachedBy: 'LoanLent', tone: 'info' },
          { status: 'overdue', reachedBy: 'LoanBecameOverdue', tone: 'bad', stop: true },
          { status: 'returned', reachedBy: 'LoanReturned', tone: 'ok' },
        ],
      },
      async list(limit) {
        const newest = sql`json_extract(${loans.state}, '$.requestedAt')`
        return (await db.select({ state: loans.state }).from(loans).orderBy(desc(newest), desc(loans.id)).limit(limit)).map(summary)
      },
      async find(ids) {
        if (ids.length === 0) return []
        return (
          await db
            .select({ state: loans.state })
            .from(loans)
            .where(inArray(loans.id, [...ids]))
        ).map(summary)
      },
    },
  }
}
