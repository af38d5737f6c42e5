import { createMiddleware } from 'hono/factory'
import { problem } from './problem.ts'

/** What `@upstash/qstash`'s Receiver offers: throws (never returns false) on a bad signature. */
export interface SignatureVerifier {
  verify(request: { signature: string; body: string; url: string }): Promise<unknown>
}

/**
 * Refuses any delivery whose `Upstash-Signature` does not verify against the raw body and the
 * exact URL QStash was told to call (`PUBLIC_URL` + path). Runs before anything else; the body
 * text is cached by Hono, so handlers can still read it.
 */
export function verifySignature(verifier: SignatureVerifier | undefined, publicUrl: string) {
  return createMiddleware(async function verifyQStashSignature(c, next) {
    const refuse = (code: string, detail: string) => problem(c, { title: 'Unauthorized', status: 401, code, detail })
    if (!verifier) return refuse('SIGNATURE.NOT_CONFIGURED', 'This service has no QStash signing keys configured')
    const signature = c.req.header('Upstash-Signature')
    if (!signature) return refuse('SIGNATURE.MISSING', 'Missing Upstash-Signature header')
    // Only HS256 is ever issued; refusing other algorithms up front closes algorithm-confusion
    // attacks (e.g. HS512 with the same secret, or `none`) whatever the JWT library accepts.
    if (jwtAlgorithm(signature) !== 'HS256') return refuse('SIGNATURE.INVALID', 'Upstash-Signature must be an HS256 JWT')
    const body = await c.req.text()
    try {
      await verifier.verify({ signature, body, url: `${publicUrl}${c.req.path}` })
    } catch {
      // The reason (expired, wrong key, wrong URL, tampered body) is deliberately not echoed.
      return refuse('SIGNATURE.INVALID', 'Upstash-Signature does not verify for this body and URL')
    }
    await next()
  })
}

function jwtAlgorithm(token: string): string | undefined {
  try {
    const header = JSON.parse(atob(token.split('.')[0]!.replace(/-/g, '+').replace(/_/g, '/'))) as { alg?: unknown }
    return typeof header.alg === 'string' ? header.alg : undefined
  } catch {
    return undefined
  }
}
