import { canonicalJson } from '../../kernel/index.ts'

/**
 * A request's fingerprint for Idempotency-Key purposes: HMAC-SHA256, under a server secret, over
 * JSON with sorted keys (the same payload with keys in another order is the same request). Keyed,
 * so a copy of the database cannot confirm a guessed body (a plain hash of a known order with one
 * unknown field gives that field up by brute force); callers still leave card data out.
 */
export function keyedFingerprint(secret: string): (value: unknown) => Promise<string> {
  const keyBytes = new TextEncoder().encode(secret)
  // The imported key is kept once a request has it, as a value, never as a promise: a Worker
  // request must not await what another one started (two first requests may each import it).
  let key: CryptoKey | undefined
  return async (value) => {
    key ??= await crypto.subtle.importKey('raw', keyBytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
    const mac = await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(`herald-idempotency-v1\n${canonicalJson(value)}`))
    return `h1:${[...new Uint8Array(mac)].map((b) => b.toString(16).padStart(2, '0')).join('')}`
  }
}

/**
 * The fingerprint key: `IDEMPOTENCY_SECRET`, else the admin token (production requires one, 32+
 * characters), else a fixed development value. Never random per process: a restart must still
 * recognise a replay as the same request.
 */
export function fingerprintSecret(config: { idempotencySecret: string | undefined; adminToken: string | undefined }): string {
  return config.idempotencySecret ?? config.adminToken ?? 'herald-development-idempotency-secret'
}
