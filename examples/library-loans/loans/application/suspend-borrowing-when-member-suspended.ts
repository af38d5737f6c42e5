import type { HandlerContext, IntegrationEvent } from 'herald/kernel'
import type { z } from 'zod'
import type { MemberSuspendedV1 } from '../../contracts.ts'

type MemberSuspended = IntegrationEvent<string, z.infer<typeof MemberSuspendedV1.schema>>

/**
 * The members context suspended someone: remember it here, so the next loan request is refused
 * without asking members (contexts share events, never tables). The inbox makes a redelivery a
 * no-op; `OR IGNORE` keeps the first suspension's time.
 */
export async function suspendBorrowingWhenMemberSuspended(event: MemberSuspended, { uow, now }: HandlerContext) {
  uow.stage({ sql: 'INSERT OR IGNORE INTO loan_suspensions (member_id, suspended_at) VALUES (?, ?)', args: [event.data.memberId, now] })
}
