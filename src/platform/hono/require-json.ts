import { createMiddleware } from 'hono/factory'
import { problem } from './problem.ts'

const JSON_TYPE = /^application\/([\w.-]+\+)?json$/

/** A command body must be JSON: anything else is a 415 before any parsing. */
export const requireJson = createMiddleware(async function requireJson(c, next) {
  const type = (c.req.header('Content-Type') ?? '').split(';')[0]?.trim().toLowerCase() ?? ''
  if (!JSON_TYPE.test(type)) {
    return problem(c, {
      title: 'Unsupported media type',
      status: 415,
      code: 'REQUEST.UNSUPPORTED_MEDIA_TYPE',
      detail: 'Send the body as application/json',
    })
  }
  await next()
})
