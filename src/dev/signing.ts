/**
 * `Upstash-Signature`: an HS256 JWT QStash puts on every delivery attempt. The Receiver checks
 * `iss`, `exp`/`nbf`, `sub` === the URL it was called on, and `body` === base64url(SHA-256(body))
 * with `=` padding stripped on both sides. The HMAC key is the UTF-8 bytes of the `sig_…` string.
 * WebCrypto only, so this also runs outside Bun.
 */

import type { Bytes } from './model.ts'

const encoder = new TextEncoder()

export function base64url(bytes: Uint8Array): string {
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '')
}

export function base64(bytes: Uint8Array): string {
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary)
}

/** Signature lifetime, as QStash: the Receiver rejects it after `exp`. */
const LIFETIME_SECONDS = 300

export type Signer = (url: string, body: Bytes) => Promise<string>

export function createSigner(signingKey: string, now: () => number = Date.now): Signer {
  // Imported once: importKey per attempt is measurable under load.
  const key = crypto.subtle.importKey('raw', encoder.encode(signingKey), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
  const header = base64url(encoder.encode(JSON.stringify({ alg: 'HS256', typ: 'JWT' })))
  return async (url, body) => {
    const seconds = Math.floor(now() / 1000)
    const bodyHash = new Uint8Array(await crypto.subtle.digest('SHA-256', body))
    const claims = {
      iss: 'Upstash',
      sub: url,
      exp: seconds + LIFETIME_SECONDS,
      iat: seconds,
      nbf: seconds,
      jti: `jwt_${base64url(crypto.getRandomValues(new Uint8Array(16)))}`,
      body: base64url(bodyHash),
    }
    const signingInput = `${header}.${base64url(encoder.encode(JSON.stringify(claims)))}`
    const signature = await crypto.subtle.sign('HMAC', await key, encoder.encode(signingInput))
    return `${signingInput}.${base64url(new Uint8Array(signature))}`
  }
}
