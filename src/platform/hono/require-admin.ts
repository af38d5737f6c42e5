import { createMiddleware } from 'hono/factory'
import { problem } from './problem.ts'

/**
 * `Authorization: Bearer $ADMIN_TOKEN` or 401 (problem+json). Tokens are compared as SHA-256
 * digests so the comparison time does not depend on how much of a guess was right.
 */
export function requireAdmin(adminToken: string | undefined) {
  const expected = adminToken === undefined ? undefined : digest(adminToken)
  return createMiddleware(async function requireAdminToken(c, next) {
    // An operator already (the admin token, or a JWT with the operator scope; see auth.ts).
    if ((c.var as { caller?: { kind: string } }).caller?.kind === 'operator') return next()
    const refuse = (detail: string) =>
      problem(c, { title: 'Unauthorized', status: 401, code: 'AUTH.UNAUTHORIZED', detail }, { 'WWW-Authenticate': 'Bearer realm="herald-admin"' })
    if (!expected) return refuse('Admin routes are disabled: ADMIN_TOKEN is not configured')
    const [scheme, token] = (c.req.header('Authorization') ?? '').split(' ')
    if (scheme?.toLowerCase() !== 'bearer' || !token) return refuse('Send Authorization: Bearer <admin token>')
    if (!equal(await digest(token), await expected)) return refuse('Invalid admin token')
    await next()
  })
}

/**
 * Compares presented tokens with the expected one in time that does not depend on the guess. The
 * expected token's digest is computed once and then kept as plain bytes (never as a promise: a Worker request must not await what another one started), so
 * each check costs one SHA-256 instead of two.
 */
export function tokenMatcher(expected: string): (presented: string) => Promise<boolean> {
  let expectedDigest: Uint8Array | undefined
  return async function matchesToken(presented) {
    expectedDigest ??= await digest(expected)
    return equal(await digest(presented), expectedDigest)
  }
}

async function digest(value: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(value)))
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  let difference = a.length ^ b.length
  for (let i = 0; i < a.length; i++) difference |= (a[i] ?? 0) ^ (b[i] ?? 0)
  return difference === 0
}
