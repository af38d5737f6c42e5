import { type DomainEvent, type HandlerContext, newIntegrationEvent, type Repository } from 'herald/kernel'
import { LoanReturnedV2 } from '../../contracts.ts'
import type { LoanReturned } from '../domain/loan.events.ts'
import type { Loan } from '../domain/loan.ts'
import { loadLoan } from './loan-commands.ts'

/**
 * In the returning command's transaction: the domain event becomes the public LoanReturned
 * event in the outbox, so it leaves only if the return commits. It carries what its contract
 * promises, not the loan.
 */
export function publishWhenLoanReturned(loans: Repository<Loan>) {
  return async function publishWhenLoanReturned(event: DomainEvent<'LoanReturned', LoanReturned['data']>, { uow, publish }: HandlerContext) {
    const { state } = await loadLoan(uow, loans, event.aggregateId)
    const data = { loanId: state.id, memberId: state.memberId, bookId: state.bookId, lateness: event.data.late ? ('late' as const) : ('on_time' as const) }
    publish(newIntegrationEvent(LoanReturnedV2, state.id, data, event.aggregateVersion))
  }
}
