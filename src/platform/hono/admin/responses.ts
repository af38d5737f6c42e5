import type { Context } from 'hono'
import { problem } from '../problem.ts'
import { problemResponse } from '../schemas.ts'

/** The OpenAPI security requirement of every admin route (the scheme is registered by registerAdminRoutes). */
export const adminSecurity = [{ adminToken: [] }]

export const unauthorized = problemResponse('Missing or wrong admin token, or no ADMIN_TOKEN configured (`WWW-Authenticate: Bearer`)')

export const noBroker = problemResponse('No QStash client is configured')

/** The 503 of a broker-backed admin route when the service runs without QStash. */
export const brokerMissing = (c: Context) => problem(c, { title: 'Unavailable', status: 503, code: 'ADMIN.NO_BROKER', detail: 'No QStash client configured' })
