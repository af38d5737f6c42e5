import { createRoute, z } from '@hono/zod-openapi'
import { defineContext } from 'herald'
import { commonProblems, contextRoutes, jsonResponse } from 'herald/hono'
import { type HandlerContext, type IntegrationEvent, newIntegrationEvent, Subscriber } from 'herald/kernel'
import { type Database, expectChangedRow } from 'herald/store'
import { type Lateness, LoanReturnedV2, MemberSuspendedV1 } from '../contracts.ts'
import { membersSchema } from './schema.ts'

export interface MembersOptions {
  /** Late returns after which a member is suspended. */
  readonly lateReturnsBeforeSuspension: number
}

export interface Standing {
  readonly memberId: string
  readonly returns: number
  readonly lateReturns: number
  readonly unknownReturns: number
  readonly suspendedAt: string | null
}

/**
 * The members context, kept tiny: it counts each member's returns from LoanReturned (any version:
 * a v1 delivery arrives upcast, its lateness `"unknown"`) and suspends a member who returns too
 * many books late, announcing it as MemberSuspended.
 */
export const members = ({ lateReturnsBeforeSuspension }: MembersOptions) =>
  defineContext<{ standing: (memberId: string) => Promise<Standing> }>({
    name: 'members',
    schema: membersSchema,
    migrations: () => new URL('./drizzle', import.meta.url),
    publishes: [MemberSuspendedV1],
    consumes: [LoanReturnedV2],
    setup({ database }) {
      const standing = standingOf(database)
      const subscriber = new Subscriber('members').on(LoanReturnedV2, recordReturnWhenLoanReturned(standing, lateReturnsBeforeSuspension), {
        name: 'recordReturnWhenLoanReturned',
      })
      return { api: { standing }, subscriber, routes: membersRoutes(standing) }
    },
  })

function standingOf(database: Database) {
  return async function standing(memberId: string): Promise<Standing> {
    const { rows } = await database.client.execute({ sql: 'SELECT * FROM members WHERE id = ?', args: [memberId] })
    const row = rows[0]
    if (!row) return { memberId, returns: 0, lateReturns: 0, unknownReturns: 0, suspendedAt: null }
    return {
      memberId,
      returns: Number(row.returns),
      lateReturns: Number(row.late_returns),
      unknownReturns: Number(row.unknown_returns),
      suspendedAt: row.suspended_at === null ? null : String(row.suspended_at),
    }
  }
}

type LoanReturned = IntegrationEvent<string, { memberId: string; lateness: Lateness }>

/**
 * One delivery, one command. The row's `returns` is its version: the UPDATE only applies to the
 * standing this handler read, so two returns of one member delivered at once never lose a count
 * (the loser's batch aborts and it re-runs on fresh data).
 */
function recordReturnWhenLoanReturned(standing: (memberId: string) => Promise<Standing>, limit: number) {
  return async function recordReturnWhenLoanReturned(event: LoanReturned, { uow, now, publish }: HandlerContext) {
    const { memberId, lateness } = event.data
    const before = await standing(memberId)
    const after = {
      returns: before.returns + 1,
      lateReturns: before.lateReturns + (lateness === 'late' ? 1 : 0),
      unknownReturns: before.unknownReturns + (lateness === 'unknown' ? 1 : 0),
    }
    const suspends = before.suspendedAt === null && after.lateReturns >= limit
    const suspendedAt = suspends ? now : before.suspendedAt
    if (before.returns === 0) {
      uow.stage({
        sql: 'INSERT INTO members (id, returns, late_returns, unknown_returns, suspended_at) VALUES (?, ?, ?, ?, ?)',
        args: [memberId, after.returns, after.lateReturns, after.unknownReturns, suspendedAt],
      })
    } else {
      uow.stage(
        {
          sql: 'UPDATE members SET returns = ?, late_returns = ?, unknown_returns = ?, suspended_at = ? WHERE id = ? AND returns = ?',
          args: [after.returns, after.lateReturns, after.unknownReturns, suspendedAt, memberId, before.returns],
        },
        expectChangedRow,
      )
    }
    if (suspends) publish(newIntegrationEvent(MemberSuspendedV1, memberId, { memberId, lateReturns: after.lateReturns }))
  }
}

const standingRoute = createRoute({
  method: 'get',
  path: '/members/{id}',
  tags: ['members'],
  request: { params: z.object({ id: z.string().min(1).max(100) }) },
  responses: {
    200: jsonResponse(
      z
        .object({ memberId: z.string(), returns: z.int(), lateReturns: z.int(), unknownReturns: z.int(), suspendedAt: z.string().nullable() })
        .openapi('Standing'),
      "The member's returns and suspension",
    ),
    ...commonProblems,
  },
})

function membersRoutes(standing: (memberId: string) => Promise<Standing>) {
  return contextRoutes().openapi(standingRoute, async (c) => c.json(await standing(c.req.valid('param').id), 200))
}
