import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { ZodError } from 'zod'
import { type ErrorKind, HeraldError } from '../../kernel/index.ts'
import { scrubText } from '../telemetry/logger.ts'

/** An RFC 9457 problem document with Herald's stable `code`. */
export interface Problem {
  readonly type?: string
  readonly title: string
  readonly status: number
  readonly code: string
  readonly detail?: string
  readonly [extension: string]: unknown
}

const statusOfKind: Record<ErrorKind, ContentfulStatusCode> = {
  invalid: 400,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  unprocessable: 422,
  unavailable: 503,
}

export function problem(c: Context, body: Problem, headers: Record<string, string> = {}): Response {
  return c.body(JSON.stringify({ type: 'about:blank', ...body, instance: c.req.path }), body.status as ContentfulStatusCode, {
    'Content-Type': 'application/problem+json',
    ...headers,
  })
}

/** Zod issues as `{ path, message }`, e.g. `items.0.units: Too small`. */
export function invalidRequest(c: Context, error: ZodError, where: string): Response {
  const errors = error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }))
  return problem(c, {
    title: 'Invalid request',
    status: 400,
    code: 'REQUEST.INVALID',
    detail: errors.map((e) => `${where}${e.path ? `.${e.path}` : ''}: ${e.message}`).join('; '),
    errors,
  })
}

/** The one place errors become HTTP. Unexpected errors are logged and hidden from clients. */
export function onError(error: Error, c: Context): Response {
  if (error instanceof HeraldError) {
    return problem(c, {
      title: error.name,
      status: statusOfKind[error.kind],
      code: error.code,
      detail: error.message,
      ...(error.details ? { details: error.details } : {}),
    })
  }
  if (error instanceof HTTPException) {
    const status = error.status
    return problem(c, {
      title: status === 413 ? 'Payload too large' : 'Bad request',
      status,
      code: codeOfHttpStatus(status),
      detail: error.message || undefined,
    })
  }
  // Scrubbed: an error's message or cause may quote a body (emails, card numbers, tokens).
  console.error(`[herald] unhandled error on ${c.req.method} ${c.req.path}: ${scrubText(error.stack ?? String(error))}${causeOf(error)}`)
  return problem(c, { title: 'Internal error', status: 500, code: 'INTERNAL', detail: 'An unexpected error occurred' })
}

function causeOf(error: Error): string {
  const cause = (error as { cause?: unknown }).cause
  return cause === undefined ? '' : `\n  cause: ${scrubText(cause instanceof Error ? (cause.stack ?? cause.message) : String(cause))}`
}

function codeOfHttpStatus(status: number): string {
  if (status === 413) return 'REQUEST.TOO_LARGE'
  if (status === 401) return 'AUTH.UNAUTHORIZED'
  if (status === 400) return 'REQUEST.MALFORMED'
  return `HTTP.${status}`
}

export function notFound(c: Context): Response {
  return problem(c, { title: 'Not found', status: 404, code: 'ROUTE.NOT_FOUND', detail: `No route for ${c.req.method} ${c.req.path}` })
}
