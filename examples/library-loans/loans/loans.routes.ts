import { createRoute, z } from '@hono/zod-openapi'
import { commandMeta, commonProblems, contextRoutes, jsonResponse, problemResponse, requireJson } from 'herald/hono'
import type { LoansApi } from './loans.ts'

const IdParam = z.object({ id: z.string().min(1).max(100) })
const RequestLoanBody = z.object({ memberId: z.string().min(1).max(100), bookId: z.string().min(1).max(100) }).openapi('RequestLoan')
const LoanResultSchema = z.object({ loanId: z.string(), status: z.string(), dueAt: z.string().nullable(), version: z.int() }).openapi('LoanResult')
const LoanSchema = z
  .object({
    id: z.string(),
    memberId: z.string(),
    bookId: z.string(),
    status: z.enum(['requested', 'lent', 'overdue', 'returned']),
    requestedAt: z.string(),
    lentAt: z.string().nullable(),
    dueAt: z.string().nullable(),
    remindedAt: z.string().nullable(),
    returnedAt: z.string().nullable(),
    late: z.boolean().nullable(),
    version: z.int(),
  })
  .openapi('Loan')

const BorrowerSchema = z.object({ memberId: z.string(), suspendedAt: z.string().nullable(), booksHeld: z.int() }).openapi('Borrower')

const borrowerRoute = createRoute({
  method: 'get',
  path: '/borrowers/{id}',
  tags: ['loans'],
  summary: 'Whether a member may borrow, and how many books they hold',
  request: { params: IdParam },
  responses: { 200: jsonResponse(BorrowerSchema, 'The borrower'), ...commonProblems },
})

const requestLoanRoute = createRoute({
  method: 'post',
  path: '/loans',
  tags: ['loans'],
  summary: 'Ask to borrow a book',
  request: { body: { content: { 'application/json': { schema: RequestLoanBody } }, required: true } },
  responses: {
    201: jsonResponse(LoanResultSchema, 'Requested'),
    409: problemResponse('The member is suspended'),
    415: problemResponse('Body is not JSON'),
    ...commonProblems,
  },
})

const getLoanRoute = createRoute({
  method: 'get',
  path: '/loans/{id}',
  tags: ['loans'],
  request: { params: IdParam },
  responses: { 200: jsonResponse(LoanSchema, 'The loan'), 404: problemResponse('No such loan'), ...commonProblems },
})

const transitionRoute = (action: 'lend' | 'return') =>
  createRoute({
    method: 'post',
    path: `/loans/{id}/${action}`,
    tags: ['loans'],
    request: { params: IdParam },
    responses: {
      200: jsonResponse(LoanResultSchema, 'Transition recorded'),
      404: problemResponse('No such loan'),
      409: problemResponse('Illegal transition from the current status'),
      ...commonProblems,
    },
  })

/** The loans context's routes: parse, build the command, call, map. Errors reach the service's one `onError`. */
export function loansRoutes(loans: LoansApi) {
  const app = contextRoutes()
  app.on('POST', '/loans', requireJson)
  app.openapi(requestLoanRoute, async (c) => {
    const { memberId, bookId } = c.req.valid('json')
    const result = await loans.request({ loanId: c.var.newId(), memberId, bookId, requestedAt: c.var.clock() }, commandMeta(c))
    c.header('Location', `/loans/${result.loanId}`)
    return c.json(result, 201)
  })
  app.openapi(getLoanRoute, async (c) => c.json(await loans.get(c.req.valid('param').id), 200))
  app.openapi(borrowerRoute, async (c) => c.json(await loans.borrower(c.req.valid('param').id), 200))
  app.openapi(transitionRoute('lend'), async (c) => c.json(await loans.lend(c.req.valid('param').id, commandMeta(c)), 200))
  app.openapi(transitionRoute('return'), async (c) => c.json(await loans.return(c.req.valid('param').id, commandMeta(c)), 200))
  return app
}
