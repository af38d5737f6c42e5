import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
import type { SignatureVerifier } from '../../src/platform/hono/verify-signature.ts'

/**
 * PROPOSAL (bench-only until it lands beside src/platform/messaging/qstash.ts): an
 * Upstash-Signature verifier with the SDK Receiver's checks, done synchronously with node:crypto
 * (Bun, Deno, and Workers with nodejs_compat, which wrangler.toml sets).
 *
 * The SDK's Receiver re-imports the signing key for every delivery (jose.jwtVerify with raw key
 * bytes) and goes through WebCrypto's async HMAC and SHA-256: ~145 µs per delivery here, more
 * than the rest of the delivery's CPU put together. Same checks: HS256 only, signature by the
 * current OR the next key (constant-time compare), iss = "Upstash", exp / nbf (with tolerance),
 * sub = the URL QStash was told to call, `body` claim = base64url(SHA-256(raw body)).
 */
export function nodeCryptoVerifier(keys: { currentSigningKey: string; nextSigningKey: string }, clockToleranceSec = 0): SignatureVerifier {
  const secrets = [keys.currentSigningKey, keys.nextSigningKey]
  const fail = (why: string): never => {
    throw new Error(`invalid Upstash-Signature: ${why}`)
  }
  return {
    async verify({ signature, body, url }) {
      const parts = signature.split('.')
      if (parts.length !== 3) fail('not a JWS')
      const [header, payload, mac] = parts as [string, string, string]
      let alg: unknown
      try {
        alg = (JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as { alg?: unknown }).alg
      } catch {
        fail('bad header')
      }
      if (alg !== 'HS256') fail('alg must be HS256')
      const given = Buffer.from(mac, 'base64url')
      const signed = `${header}.${payload}`
      const valid = secrets.some((secret) => {
        const expected = createHmac('sha256', secret).update(signed).digest()
        return expected.length === given.length && timingSafeEqual(expected, given)
      })
      if (!valid) fail('signature')
      let claims: { iss?: unknown; sub?: unknown; exp?: unknown; nbf?: unknown; body?: unknown }
      try {
        claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'))
      } catch {
        return fail('bad claims')
      }
      const now = Math.floor(Date.now() / 1000)
      if (claims.iss !== 'Upstash') fail('issuer')
      if (claims.exp !== undefined && (typeof claims.exp !== 'number' || now - clockToleranceSec >= claims.exp)) fail('expired')
      if (claims.nbf !== undefined && (typeof claims.nbf !== 'number' || now + clockToleranceSec < claims.nbf)) fail('not yet valid')
      if (url !== undefined && claims.sub !== url) fail('subject')
      const bodyHash = createHash('sha256').update(body).digest('base64url')
      if (typeof claims.body !== 'string' || claims.body.replace(/=+$/, '') !== bodyHash) fail('body hash')
      return true
    },
  }
}
