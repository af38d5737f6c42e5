import { QstashError } from '@upstash/qstash'
import type { Context } from 'hono'
import type { z } from '@hono/zod-openapi'
import { invalidRequest } from '../problem.ts'
import { problem } from '../problem.ts'
import { problemResponse } from '../schemas.ts'

/** The OpenAPI security requirement of every admin route (the scheme is registered by registerAdminRoutes). */
export const adminSecurity = [{ adminToken: [] }]

export const unauthorized = problemResponse('Missing or wrong admin token, or no ADMIN_TOKEN configured (`WWW-Authenticate: Bearer`)')

export const noBroker = problemResponse('No QStash client is configured')

/** The 503 of a broker-backed admin route when the service runs without QStash. */
export const brokerMissing = (c: Context) => problem(c, { title: 'Unavailable', status: 503, code: 'ADMIN.NO_BROKER', detail: 'No QStash client configured' })

export const notFoundResponse = (what: string) => problemResponse(`No such ${what}`)

/** The broker's "not found" (QStash answers 404 for an unknown DLQ id or URL group). */
export const brokerNotFound = (error: unknown): boolean => error instanceof QstashError && error.status === 404

/**
 * A route's path parameters checked against their format, or the 400 problem. The SDK joins path
 * segments unencoded, so an id is only ever passed on once it cannot walk the broker's URL path
 * (`..%2Ftopics%2F…` arrives decoded as `../topics/…`).
 */
export function pathParams<S extends z.ZodType>(c: Context, schema: S): z.infer<S> | Response {
  const parsed = schema.safeParse(c.req.param())
  return parsed.success ? parsed.data : invalidRequest(c, parsed.error, 'path')
}
