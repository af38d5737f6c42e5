import { eq } from 'drizzle-orm'
import type { Repository, UnitOfWork } from 'herald/kernel'
import { BorrowingSuspended, LoanNotFound } from '../domain/loan.errors.ts'
import { Loan } from '../domain/loan.ts'
import { type LoansDb, loanSuspensions } from '../infrastructure/schema.ts'

export interface LoanResult {
  readonly loanId: string
  readonly status: string
  readonly dueAt: string | null
  readonly version: number
}

export const resultOf = (loan: Loan): LoanResult => ({ loanId: loan.id, status: loan.state.status, dueAt: loan.state.dueAt, version: loan.version })

/** Loads a loan through the unit of work's identity map, or fails with LOAN.NOT_FOUND. */
export async function loadLoan(uow: UnitOfWork, loans: Repository<Loan>, loanId: string): Promise<Loan> {
  const loan = await uow.load(loans, loanId)
  if (!loan) throw new LoanNotFound(loanId)
  return loan
}

export interface RequestLoan {
  readonly loanId: string
  readonly memberId: string
  readonly bookId: string
  readonly requestedAt: string
}

/** `POST /loans`: a suspended member is refused before anything is recorded. */
export async function requestLoan(uow: UnitOfWork, deps: { loans: Repository<Loan>; db: LoansDb }, command: RequestLoan): Promise<LoanResult> {
  const [suspended] = await deps.db.select().from(loanSuspensions).where(eq(loanSuspensions.memberId, command.memberId))
  if (suspended) throw new BorrowingSuspended(command.memberId)
  return resultOf(uow.add(deps.loans, Loan.request(command)))
}

/** `POST /loans/{id}/lend`: the book leaves the desk, due back `loanPeriodMs` later. */
export async function lendLoan(uow: UnitOfWork, loans: Repository<Loan>, loanId: string, loanPeriodMs: number): Promise<LoanResult> {
  const loan = await loadLoan(uow, loans, loanId)
  loan.lend({ lentAt: uow.now, dueAt: new Date(Date.parse(uow.now) + loanPeriodMs).toISOString() })
  return resultOf(loan)
}

/** `POST /loans/{id}/return`. */
export async function returnLoan(uow: UnitOfWork, loans: Repository<Loan>, loanId: string): Promise<LoanResult> {
  const loan = await loadLoan(uow, loans, loanId)
  loan.return({ returnedAt: uow.now })
  return resultOf(loan)
}
