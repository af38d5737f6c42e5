import type { MiddlewareHandler } from 'hono'
import { NONCE, secureHeaders } from 'hono/secure-headers'

/**
 * The headers every response carries: Hono's secure-headers defaults (`nosniff`, no framing by
 * other sites, no referrer, HSTS…) and `Cache-Control: no-store`. Orders, events, buyers, mails
 * and the dashboard's API are personal data, and nothing Herald serves is worth a cache's copy:
 * no-store everywhere is simpler than a list of the routes that may be kept (and cannot miss one).
 */
export function securityHeaders(): MiddlewareHandler {
  const secure = secureHeaders()
  return async function securityHeaders(c, next) {
    await secure(c, next)
    c.res.headers.set('Cache-Control', 'no-store')
  }
}

/**
 * A Content-Security-Policy for a self-contained page whose one inline script and style carry
 * the request's nonce (`c.get('secureHeadersNonce')`): nothing else runs, loads or frames it.
 */
export function inlinePageCsp(): MiddlewareHandler {
  return secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'none'"],
      scriptSrc: [NONCE],
      styleSrc: [NONCE],
      connectSrc: ["'self'"],
      baseUri: ["'none'"],
      formAction: ["'none'"],
      frameAncestors: ["'none'"],
    },
  })
}
