import { DomainError, NotFoundError } from 'herald/kernel'
import type { LoanStatus } from './loan.events.ts'

/** An illegal move of the loan's status machine (HTTP 409), never a silent no-op. */
export class InvalidLoanTransition extends DomainError {
  constructor(loanId: string, from: LoanStatus, action: string) {
    super('LOAN.INVALID_TRANSITION', `Loan ${loanId} is ${from}; it cannot be ${action}`, 'conflict', { loanId, status: from, action })
  }
}

/** The member is suspended (the members context said so): no new loans. */
export class BorrowingSuspended extends DomainError {
  constructor(memberId: string) {
    super('LOAN.MEMBER_SUSPENDED', `Member ${memberId} is suspended and may not borrow`, 'conflict', { memberId })
  }
}

export class LoanNotFound extends NotFoundError {
  constructor(loanId: string) {
    super('LOAN.NOT_FOUND', `Loan ${loanId} does not exist`)
  }
}
