import { createRoute, z } from '@hono/zod-openapi'
import { ForbiddenError } from '../src/kernel/index.ts'
import type { Notifications } from '../src/notifications/index.ts'
import { commonProblems, contextRoutes, jsonResponse, userSubject } from '../src/platform/hono/index.ts'

const MailSchema = z
  .object({
    id: z.string(),
    buyerId: z.string(),
    to: z.string(),
    kind: z.string(),
    subject: z.string(),
    body: z.string(),
    eventId: z.string(),
    createdAt: z.string(),
  })
  .openapi('Mail')

const mailboxRoute = createRoute({
  method: 'get',
  path: '/notifications',
  tags: ['notifications'],
  summary: 'The dev mail sink',
  request: { query: z.object({ buyerId: z.string().min(1).max(100).optional() }) },
  responses: { 200: jsonResponse(MailSchema.array(), 'Mails, oldest first'), ...commonProblems },
})

export function notificationRoutes(notifications: Notifications) {
  return contextRoutes().openapi(mailboxRoute, async (c) => {
    const { buyerId } = c.req.valid('query')
    const buyer = userSubject(c.var.caller)
    if (buyer !== undefined && buyerId !== undefined && buyerId !== buyer) {
      throw new ForbiddenError('AUTH.FORBIDDEN', "A buyer reads only their own mail (buyerId must be the token's subject)")
    }
    return c.json(await notifications.mailbox(buyer ?? buyerId), 200)
  })
}
