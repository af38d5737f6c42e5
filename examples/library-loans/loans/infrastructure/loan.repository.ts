import { eq } from 'drizzle-orm'
import type { Repository, Statement } from 'herald/kernel'
import { expectChangedRow } from 'herald/store'
import { Loan, type LoanState } from '../domain/loan.ts'
import { type LoansDb, loans } from './schema.ts'

/** Loads loans from their snapshot row; saves them as statements the unit of work commits in one batch. */
export function loanRepository(db: LoansDb): Repository<Loan> {
  return {
    aggregateType: Loan.type,
    async load(id) {
      const [row] = await db.select({ state: loans.state, version: loans.version }).from(loans).where(eq(loans.id, id))
      return row ? Loan.fromState(JSON.parse(row.state) as LoanState, row.version) : undefined
    },
    save(loan, loadedVersion): Statement[] {
      const s = loan.state
      if (loadedVersion === 0) {
        return [
          {
            sql: 'INSERT INTO loans (id, member_id, book_id, status, version, state) VALUES (?, ?, ?, ?, ?, ?)',
            args: [s.id, s.memberId, s.bookId, s.status, loan.version, JSON.stringify(s)],
          },
        ]
      }
      // The event store's unique (aggregate, version) key already aborts a stale batch; the guarded
      // UPDATE keeps the row safe from a writer that bypasses the event store too.
      return [
        {
          sql: 'UPDATE loans SET status = ?, version = ?, state = ? WHERE id = ? AND version = ?',
          args: [s.status, loan.version, JSON.stringify(s), s.id, loadedVersion],
        },
        expectChangedRow,
      ]
    },
  }
}
