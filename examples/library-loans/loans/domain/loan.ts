import { AggregateRoot } from 'herald/kernel'
import { InvalidLoanTransition } from './loan.errors.ts'
import type { LoanEvent, LoanRequested, LoanStatus } from './loan.events.ts'

export interface LoanState {
  readonly id: string
  readonly memberId: string
  readonly bookId: string
  readonly status: LoanStatus
  readonly requestedAt: string
  readonly lentAt: string | null
  readonly dueAt: string | null
  readonly remindedAt: string | null
  readonly returnedAt: string | null
  readonly late: boolean | null
}

/** From which statuses each command may move the loan: the status machine in one table. */
const allowedFrom = {
  lend: ['requested'],
  markOverdue: ['lent'],
  return: ['lent', 'overdue'],
} as const satisfies Record<string, readonly LoanStatus[]>

/**
 * A book lent to a member: `requested` → `lent` → `returned`, through `overdue` when the due date
 * passes first. Every transition records one past-tense event or throws
 * {@link InvalidLoanTransition}. Time comes in with each command; the loan never reads a clock.
 */
export class Loan extends AggregateRoot<LoanState, LoanEvent> {
  static readonly type = 'Loan'

  private constructor(state: LoanState, version: number) {
    super(Loan.type, state.id, state, version)
  }

  static request(command: LoanRequested['data']): Loan {
    const loan = new Loan(requested(command), 0)
    loan.record({ type: 'LoanRequested', data: { ...command } })
    return loan
  }

  /** Rebuilds from the stored snapshot (the state replay would produce). */
  static fromState(state: LoanState, version: number): Loan {
    return new Loan(state, version)
  }

  /** Rebuilds from the event stream alone. */
  static fromHistory(events: readonly LoanEvent[]): Loan {
    const [first, ...rest] = events
    if (first?.type !== 'LoanRequested') throw new Error('A loan stream begins with LoanRequested')
    const loan = new Loan(requested(first.data), 1)
    loan.replay(rest)
    return loan
  }

  lend(command: { lentAt: string; dueAt: string }): void {
    this.#require('lend', 'lent')
    this.record({ type: 'LoanLent', data: { lentAt: command.lentAt, dueAt: command.dueAt } })
  }

  markOverdue(command: { remindedAt: string }): void {
    this.#require('markOverdue', 'marked overdue')
    this.record({ type: 'LoanBecameOverdue', data: { remindedAt: command.remindedAt } })
  }

  return(command: { returnedAt: string }): void {
    this.#require('return', 'returned')
    const late = this.state.status === 'overdue' || (this.state.dueAt !== null && command.returnedAt > this.state.dueAt)
    this.record({ type: 'LoanReturned', data: { returnedAt: command.returnedAt, late } })
  }

  #require(command: keyof typeof allowedFrom, action: string): void {
    if (!(allowedFrom[command] as readonly LoanStatus[]).includes(this.state.status)) throw new InvalidLoanTransition(this.id, this.state.status, action)
  }

  protected evolve(state: LoanState, event: LoanEvent): LoanState {
    switch (event.type) {
      case 'LoanRequested':
        return requested(event.data)
      case 'LoanLent':
        return { ...state, status: 'lent', lentAt: event.data.lentAt, dueAt: event.data.dueAt }
      case 'LoanBecameOverdue':
        return { ...state, status: 'overdue', remindedAt: event.data.remindedAt }
      case 'LoanReturned':
        return { ...state, status: 'returned', returnedAt: event.data.returnedAt, late: event.data.late }
      default:
        return unreachable(event)
    }
  }
}

function requested(data: LoanRequested['data']): LoanState {
  return {
    id: data.loanId,
    memberId: data.memberId,
    bookId: data.bookId,
    status: 'requested',
    requestedAt: data.requestedAt,
    lentAt: null,
    dueAt: null,
    remindedAt: null,
    returnedAt: null,
    late: null,
  }
}

function unreachable(event: never): never {
  throw new Error(`Unhandled loan event ${JSON.stringify(event)}`)
}
