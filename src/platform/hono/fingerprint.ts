import { canonicalJson } from '../../kernel/index.ts'

/**
 * A stable digest of a request body: SHA-256 over JSON with sorted keys, so the same payload
 * with keys in another order is the same request for Idempotency-Key purposes.
 */
export async function fingerprint(value: unknown): Promise<string> {
  const bytes = new TextEncoder().encode(canonicalJson(value))
  const digest = await crypto.subtle.digest('SHA-256', bytes)
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('')
}
