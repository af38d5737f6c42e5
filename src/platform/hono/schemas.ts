import { z } from '@hono/zod-openapi'

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.int(),
    code: z.string().openapi({ example: 'ORDER.INVALID_TRANSITION' }),
    detail: z.string().optional(),
    instance: z.string().optional(),
  })
  .openapi('Problem')

/** A JSON response of `schema` for a route's `responses`. */
export const jsonResponse = <T>(schema: T, description: string) => ({ content: { 'application/json': { schema } }, description })

export const problemResponse = (description: string) => ({
  content: { 'application/problem+json': { schema: ProblemSchema } },
  description,
})

/** Shared problem responses every route may answer with. */
export const commonProblems = {
  400: problemResponse('The request is malformed or fails validation; nothing was written'),
  500: problemResponse('Unexpected server error'),
}
