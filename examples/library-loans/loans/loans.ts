import { and, count, eq, inArray } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/libsql'
import { defineContext } from 'herald'
import { type CommandMeta, type CommandRunner, type Repository, Subscriber } from 'herald/kernel'
import { LoanReturnedV1, LoanReturnedV2, MemberSuspendedV1 } from '../contracts.ts'
import { lendLoan, type RequestLoan, requestLoan, returnLoan } from './application/loan-commands.ts'
import { publishWhenLoanReturned } from './application/publish-when-loan-returned.ts'
import { remindWhenLoanDue } from './application/remind-when-loan-due.ts'
import { suspendBorrowingWhenMemberSuspended } from './application/suspend-borrowing-when-member-suspended.ts'
import { LoanNotFound } from './domain/loan.errors.ts'
import { type LoanEvent, loanEventTypes } from './domain/loan.events.ts'
import { Loan } from './domain/loan.ts'
import { loanRepository } from './infrastructure/loan.repository.ts'
import { loansDashboard } from './loans.dashboard.ts'
import { type LoansDb, loanSuspensions, loans as loansTable, loansSchema } from './infrastructure/schema.ts'

export interface LoansOptions {
  /** How long a member may keep a book; the reminder fires this long after lending. */
  readonly loanPeriodMs: number
}

/**
 * The loans context: the Loan aggregate, its due-date reminder, the LoanReturned event it
 * publishes, and the MemberSuspended event it consumes from the members context.
 */
export const loans = ({ loanPeriodMs }: LoansOptions) =>
  defineContext<LoansApi, LoanEvent>({
    name: 'loans',
    schema: loansSchema,
    migrations: () => new URL('./drizzle', import.meta.url),
    records: [...loanEventTypes],
    aggregates: [Loan.type],
    // v1 stays registered so consumers still on it keep their URL group and their schema.
    publishes: [LoanReturnedV1, LoanReturnedV2],
    consumes: [MemberSuspendedV1],
    setup({ database, runner, dispatcher }) {
      const db = drizzle(database.client, { schema: loansSchema })
      const repository = loanRepository(db)
      dispatcher
        .on('LoanLent', remindWhenLoanDue(repository), { name: 'remindWhenLoanDue', phase: 'after-commit', delayMs: loanPeriodMs })
        .on('LoanReturned', publishWhenLoanReturned(repository), { name: 'publishWhenLoanReturned' })
      const api = loansApi({ runner, db, repository, loanPeriodMs })
      return {
        api,
        dashboard: loansDashboard(db),
        subscriber: new Subscriber('loans').on(MemberSuspendedV1, suspendBorrowingWhenMemberSuspended, { name: 'suspendBorrowingWhenMemberSuspended' }),
      }
    },
  })

function loansApi(deps: { runner: CommandRunner; db: LoansDb; repository: Repository<Loan>; loanPeriodMs: number }) {
  const { runner, db, repository, loanPeriodMs } = deps
  return {
    async request(command: RequestLoan, meta: CommandMeta = {}) {
      return (await runner.run((uow) => requestLoan(uow, { loans: repository, db }, command), meta)).result
    },
    async lend(loanId: string, meta: CommandMeta = {}) {
      return (await runner.run((uow) => lendLoan(uow, repository, loanId, loanPeriodMs), meta)).result
    },
    async return(loanId: string, meta: CommandMeta = {}) {
      return (await runner.run((uow) => returnLoan(uow, repository, loanId), meta)).result
    },
    /** What this context knows of a member: suspended or not, and how many books they hold. */
    async borrower(memberId: string) {
      const [suspension] = await db.select().from(loanSuspensions).where(eq(loanSuspensions.memberId, memberId))
      const [held] = await db
        .select({ n: count() })
        .from(loansTable)
        .where(and(eq(loansTable.memberId, memberId), inArray(loansTable.status, ['lent', 'overdue'])))
      return { memberId, suspendedAt: suspension?.suspendedAt ?? null, booksHeld: held?.n ?? 0 }
    },
    async get(loanId: string) {
      const loan = await repository.load(loanId)
      if (!loan) throw new LoanNotFound(loanId)
      return { ...loan.state, version: loan.version }
    },
  }
}

export type LoansApi = ReturnType<typeof loansApi>
