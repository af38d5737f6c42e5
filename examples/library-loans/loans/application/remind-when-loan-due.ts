import type { DomainEvent, HandlerContext, Repository } from 'herald/kernel'
import type { LoanLent } from '../domain/loan.events.ts'
import type { Loan } from '../domain/loan.ts'
import { loadLoan } from './loan-commands.ts'

/**
 * After commit, delayed by the loan period (a QStash delayed message to the service's own
 * `/internal/handlers/remindWhenLoanDue`, durable in the outbox, retried; not a timer): if the
 * book is still out when it falls due, the loan becomes overdue and the member is reminded.
 */
export function remindWhenLoanDue(loans: Repository<Loan>) {
  return async function remindWhenLoanDue(event: DomainEvent<'LoanLent', LoanLent['data']>, { uow, now }: HandlerContext) {
    const loan = await loadLoan(uow, loans, event.aggregateId)
    if (loan.state.status !== 'lent') return // returned in time
    loan.markOverdue({ remindedAt: now })
  }
}
