import { defineContract } from 'herald/kernel'
import { z } from 'zod'

// The library's published language: the only thing the loans and members contexts share. Never
// change a contract in place; add the next major version with an upcaster from the previous one.

const id = z.string().min(1).max(100)

export const LoanReturnedV1 = defineContract({
  source: 'loans',
  name: 'LoanReturned',
  version: 1,
  description: 'A member brought a borrowed book back.',
  schema: z.object({ loanId: id, memberId: id, bookId: id }),
})

export type Lateness = 'on_time' | 'late' | 'unknown'

/** v2 says whether the book came back late; a v1 delivery upcasts to `"unknown"`. */
export const LoanReturnedV2 = defineContract<{ loanId: string; memberId: string; bookId: string; lateness: Lateness }, z.infer<typeof LoanReturnedV1.schema>>({
  source: 'loans',
  name: 'LoanReturned',
  version: 2,
  description: 'A member brought a borrowed book back, on time or late.',
  schema: z.object({ loanId: id, memberId: id, bookId: id, lateness: z.enum(['on_time', 'late', 'unknown']) }),
  upcast: (v1) => ({ ...v1, lateness: 'unknown' }),
})

export const MemberSuspendedV1 = defineContract({
  source: 'members',
  name: 'MemberSuspended',
  version: 1,
  description: 'A member returned too many books late and may borrow no more.',
  schema: z.object({ memberId: id, lateReturns: z.int().positive() }),
})
