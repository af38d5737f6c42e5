/**
 * Builds Upstash-Signature JWTs by hand, so tests can forge, expire, tamper and mis-address
 * them. (Valid deliveries in the e2e tests are signed by the broker, not by this.)
 */
export async function signDelivery(options: {
  key: string
  url: string
  body: string
  nowSeconds?: number
  expiresIn?: number
  notBeforeOffset?: number
  header?: Record<string, unknown>
  claims?: Record<string, unknown>
}): Promise<string> {
  const now = options.nowSeconds ?? Math.floor(Date.now() / 1000)
  const header = options.header ?? { alg: 'HS256', typ: 'JWT' }
  const payload = {
    iss: 'Upstash',
    sub: options.url,
    exp: now + (options.expiresIn ?? 300),
    nbf: now + (options.notBeforeOffset ?? 0),
    iat: now,
    jti: crypto.randomUUID(),
    body: await bodyHash(options.body),
    ...options.claims,
  }
  const unsigned = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(options.key), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
  const signature = new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(unsigned)))
  return `${unsigned}.${base64url(signature)}`
}

export async function bodyHash(body: string): Promise<string> {
  return base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(body))))
}

export function base64url(input: string | Uint8Array): string {
  const bytes = typeof input === 'string' ? new TextEncoder().encode(input) : input
  return Buffer.from(bytes).toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}
