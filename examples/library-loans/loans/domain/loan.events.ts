import type { EventShape } from 'herald/kernel'

export type LoanStatus = 'requested' | 'lent' | 'overdue' | 'returned'

/** A member asked to borrow a book. */
export type LoanRequested = EventShape<
  'LoanRequested',
  { readonly loanId: string; readonly memberId: string; readonly bookId: string; readonly requestedAt: string }
>
/** The desk handed the book over, due back at `dueAt`. */
export type LoanLent = EventShape<'LoanLent', { readonly lentAt: string; readonly dueAt: string }>
/** The due date passed with the book still out; the member was reminded. */
export type LoanBecameOverdue = EventShape<'LoanBecameOverdue', { readonly remindedAt: string }>
/** The book came back. */
export type LoanReturned = EventShape<'LoanReturned', { readonly returnedAt: string; readonly late: boolean }>

export type LoanEvent = LoanRequested | LoanLent | LoanBecameOverdue | LoanReturned

/** Every type the Loan aggregate records (the context declares them as its `records`). */
export const loanEventTypes = ['LoanRequested', 'LoanLent', 'LoanBecameOverdue', 'LoanReturned'] as const satisfies readonly LoanEvent['type'][]
