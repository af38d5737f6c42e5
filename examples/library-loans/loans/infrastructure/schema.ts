import type { LibSQLDatabase } from 'drizzle-orm/libsql'
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'

/** Loans as a snapshot row (state JSON + queryable columns) beside their event stream. */
export const loans = sqliteTable(
  'loans',
  {
    id: text('id').primaryKey(),
    memberId: text('member_id').notNull(),
    bookId: text('book_id').notNull(),
    status: text('status').notNull(),
    version: integer('version').notNull(),
    state: text('state').notNull(),
  },
  (t) => [index('loans_member').on(t.memberId)],
)

/** Members the members context suspended, as the loans context learnt it from MemberSuspended. */
export const loanSuspensions = sqliteTable('loan_suspensions', {
  memberId: text('member_id').primaryKey(),
  suspendedAt: text('suspended_at').notNull(),
})

/** The loans context's tables only: its repository and queries cannot reach another context's. */
export const loansSchema = { loans, loanSuspensions }
export type LoansDb = LibSQLDatabase<typeof loansSchema>
