import { afterAll, afterEach, beforeAll, describe, expect, it } from 'bun:test'
import fc from 'fast-check'
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose'
import type { AuthSettings } from '../../src/platform/hono/auth.ts'
import { tableCounts } from '../support/database.ts'
import { orderBody, type TestHerald, testHerald } from '../support/herald.ts'

/*
 * Production auth with real `jose` tokens, verified against a JWKS this test serves over HTTP
 * (no identity provider can run here; the verification path is the real one).
 */

const ISSUER = 'https://id.herald.test/'
const AUDIENCE = 'herald-api'
const ADMIN_TOKEN = 'test-admin-token'

type Key = { kid: string; alg: string; privateKey: CryptoKey; jwk: JWK }
const keys: Key[] = []
let published: Key[] = []
/** How often the JWKS was fetched. */
let jwksFetches = 0
let jwksServer: ReturnType<typeof Bun.serve>
let h: TestHerald

async function key(kid: string, alg: 'RS256' | 'ES256' | 'EdDSA'): Promise<Key> {
  const pair = await generateKeyPair(alg, { extractable: true })
  return { kid, alg, privateKey: pair.privateKey, jwk: { ...(await exportJWK(pair.publicKey)), kid, alg, use: 'sig' } }
}

const now = () => Math.floor(Date.now() / 1000)

async function token(options: { sub?: string; scope?: string; key?: Key; iss?: string; aud?: string; exp?: number; nbf?: number } = {}) {
  const signer = options.key ?? keys[0]!
  let jwt = new SignJWT({ ...(options.scope ? { scope: options.scope } : {}) })
    .setProtectedHeader({ alg: signer.alg, kid: signer.kid })
    .setSubject(options.sub ?? 'alice')
    .setIssuer(options.iss ?? ISSUER)
    .setAudience(options.aud ?? AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(options.exp ?? now() + 300)
  if (options.nbf !== undefined) jwt = jwt.setNotBefore(options.nbf)
  return jwt.sign(signer.privateKey)
}

const settings = (jwksUrl = `http://127.0.0.1:${jwksServer.port}/.well-known/jwks.json`): AuthSettings => ({
  jwksUrl,
  issuer: ISSUER,
  audience: AUDIENCE,
  operatorScope: 'herald:operator',
  jwksCooldownMs: 0,
})

const as = (jwt: string | undefined, init: RequestInit = {}): RequestInit => ({
  ...init,
  headers: { 'Content-Type': 'application/json', ...(jwt ? { Authorization: `Bearer ${jwt}` } : {}), ...(init.headers as Record<string, string>) },
})
const post = (path: string, body: unknown, jwt?: string) => h.request(path, as(jwt, { method: 'POST', body: JSON.stringify(body) }))
const get = (path: string, jwt?: string) => h.request(path, as(jwt))
const buyer = (id: string) => ({ id, name: id, email: `${id}@example.com` })

beforeAll(async () => {
  keys.push(await key('rsa-1', 'RS256'), await key('ec-1', 'ES256'), await key('ed-1', 'EdDSA'), await key('rsa-2', 'RS256'))
  published = keys.slice(0, 3)
  jwksServer = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    fetch: () => {
      jwksFetches++
      return Response.json({ keys: published.map((k) => k.jwk) })
    },
  })
})
afterAll(() => jwksServer.stop(true))
afterEach(() => h?.dispose())

const heraldWithAuth = async (auth = settings()) => (h = await testHerald({ config: { auth, adminToken: ADMIN_TOKEN } }))

describe('authenticated callers (production)', () => {
  it('lets anyone reach health, the schema registry and the API docs', async () => {
    await heraldWithAuth()
    for (const path of ['/health', '/schemas', '/openapi.json', '/asyncapi.json', '/docs', '/dashboard/assets/dashboard.js'])
      expect((await get(path)).status, path).toBe(200)
  })

  it('refuses a missing, malformed, expired, early, mis-issued, mis-addressed, unknown-key, unsigned or HS256 token with 401, writing nothing', async () => {
    await heraldWithAuth()
    const stranger = await key('stranger', 'RS256')
    const header = (alg: string, kid = 'rsa-1') => Buffer.from(JSON.stringify({ alg, kid, typ: 'JWT' })).toString('base64url')
    const claims = Buffer.from(JSON.stringify({ sub: 'alice', iss: ISSUER, aud: AUDIENCE, exp: now() + 300 })).toString('base64url')
    const hs256WithPublicKey = async () => {
      const secret = new TextEncoder().encode(JSON.stringify(keys[0]!.jwk))
      return new SignJWT({})
        .setProtectedHeader({ alg: 'HS256', kid: 'rsa-1' })
        .setSubject('alice')
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setExpirationTime(now() + 300)
        .sign(secret)
    }
    const before = await tableCounts(h.database)
    const bad: [string, string | undefined][] = [
      ['missing', undefined],
      ['malformed', 'not.a.jwt'],
      ['expired', await token({ exp: now() - 120 })],
      ['not yet valid', await token({ nbf: now() + 600 })],
      ['wrong issuer', await token({ iss: 'https://evil.test/' })],
      ['wrong audience', await token({ aud: 'someone-else' })],
      ['unknown kid', await token({ key: stranger })],
      ['alg none', `${header('none')}.${claims}.`],
      ['HS256 with the public key', await hs256WithPublicKey()],
    ]
    for (const [what, jwt] of bad) {
      const response = await post('/orders', orderBody(), jwt)
      expect(response.status, what).toBe(401)
      expect(response.headers.get('Content-Type'), what).toContain('application/problem+json')
      expect(((await response.json()) as { code: string }).code, what).toBe('AUTH.UNAUTHORIZED')
    }
    expect(await tableCounts(h.database)).toEqual(before)
  })

  it('accepts RS256, ES256 and EdDSA tokens, and a key added to the JWKS later (refetched on an unknown kid)', async () => {
    await heraldWithAuth()
    for (const signer of keys.slice(0, 3)) expect((await get('/orders', await token({ key: signer }))).status, signer.alg).toBe(200)
    expect((await get('/orders', await token({ key: keys[3] }))).status).toBe(401)
    published = keys // the provider rotates in rsa-2
    expect((await get('/orders', await token({ key: keys[3] }))).status).toBe(200)
    published = keys.slice(0, 3)
  })

  it('answers 503 with Retry-After when the JWKS cannot be reached, never 500 and never open', async () => {
    const closed = Bun.serve({ port: 0, fetch: () => new Response('') })
    const url = `http://127.0.0.1:${closed.port}/jwks`
    closed.stop(true)
    await heraldWithAuth(settings(url))
    const response = await post('/orders', orderBody(), await token())
    expect(response.status).toBe(503)
    expect(response.headers.get('Retry-After')).toBeTruthy()
    expect(((await response.json()) as { code: string }).code).toBe('AUTH.UNAVAILABLE')
    const broken = Bun.serve({ port: 0, fetch: () => new Response('oops', { status: 500 }) })
    h.dispose()
    await heraldWithAuth(settings(`http://127.0.0.1:${broken.port}/jwks`))
    expect((await get('/orders', await token())).status).toBe(503)
    broken.stop(true)
  })

  it('keeps operator routes for the admin token or the operator scope', async () => {
    await heraldWithAuth()
    const buyerToken = await token()
    const operator = await token({ sub: 'ops', scope: 'openid herald:operator' })
    // The dashboard's page holds no data (its API does): it loads for anyone and asks for the token.
    expect((await get('/')).status).toBe(200)
    for (const path of ['/events', '/dashboard/api/subjects', '/dashboard/api/outbox', '/admin/outbox']) {
      expect((await get(path)).status, `${path} anonymous`).toBe(401)
      expect((await get(path, buyerToken)).status, `${path} buyer`).toBe(403)
      expect((await get(path, operator)).status, `${path} operator`).toBe(200)
      expect((await get(path, ADMIN_TOKEN)).status, `${path} admin token`).toBe(200)
    }
  })

  it('fuzzed Authorization headers never get past 401 on a buyer route, never 500, and write nothing', async () => {
    await heraldWithAuth()
    const before = await tableCounts(h.database)
    const valid = await token()
    const mangle = fc.oneof(
      fc.string(),
      fc.string().map((s) => `Bearer ${s}`),
      // Never the last character: its low bits carry no data in base64url, so a swap there may decode to the same signature.
      fc
        .tuple(fc.nat(valid.length - 2), fc.string({ minLength: 1, maxLength: 1 }))
        .map(([at, ch]) => `Bearer ${valid.slice(0, at)}${ch}${valid.slice(at + 1)}`)
        .filter((s) => s !== `Bearer ${valid}`),
      fc.constantFrom('Bearer', 'Basic YWxpY2U6cGFzcw==', `bearer  ${valid}`, `Bearer ${valid}.x`, `Bearer ${valid.split('.').slice(0, 2).join('.')}.`),
    )
    await fc.assert(
      fc.asyncProperty(mangle, async (authorization) => {
        const response = await h.request('/orders', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Authorization: authorization },
          body: JSON.stringify(orderBody()),
        })
        expect(response.status).toBe(401)
      }),
      { numRuns: 150 },
    )
    expect(await tableCounts(h.database)).toEqual(before)
  })
})

describe('JWKS fetches', () => {
  const burst = async (signers: Key[]) =>
    Promise.all(signers.map(async (signer) => [signer.kid, (await get('/orders', await token({ key: signer }))).status] as const))
  const strangers = () => Promise.all(Array.from({ length: 20 }, (_, i) => key(`stranger-${i}`, 'ES256')))

  it('a cold burst of 40 tokens, half with unknown kids, fetches the JWKS once', async () => {
    await heraldWithAuth({ ...settings(), jwksCooldownMs: 60_000 })
    const unknown = await strangers()
    const before = jwksFetches
    const answers = await burst([...Array.from({ length: 20 }, () => keys[0]!), ...unknown])
    expect(jwksFetches - before).toBe(1)
    expect(answers.filter(([kid]) => kid === 'rsa-1').every(([, status]) => status === 200)).toBe(true)
    expect(answers.filter(([kid]) => kid.startsWith('stranger')).every(([, status]) => status === 401)).toBe(true)
  })

  it('a burst of unknown kids after the cooldown refetches once, and a key rotated in meanwhile is accepted', async () => {
    let now = 1_000_000
    await heraldWithAuth({ ...settings(), jwksCooldownMs: 60_000, now: () => now })
    expect((await get('/orders', await token())).status).toBe(200)
    const unknown = await strangers()
    const before = jwksFetches
    published = keys // the provider rotates in rsa-2
    now += 60_001
    try {
      const answers = await burst([...Array.from({ length: 20 }, () => keys[3]!), ...unknown])
      expect(jwksFetches - before).toBe(1)
      expect(answers.filter(([kid]) => kid === 'rsa-2').map(([, status]) => status)).toEqual(Array(20).fill(200))
      expect(answers.filter(([kid]) => kid.startsWith('stranger')).every(([, status]) => status === 401)).toBe(true)
      // Within the cooldown an unknown kid fetches nothing.
      expect((await get('/orders', await token({ key: unknown[0] }))).status).toBe(401)
      expect(jwksFetches - before).toBe(1)
    } finally {
      published = keys.slice(0, 3)
    }
  })
})

describe('buyers see only their own data', () => {
  it("takes the buyer from the token: another buyer's id in the body is a 403 that writes nothing", async () => {
    await heraldWithAuth()
    const before = await tableCounts(h.database)
    const refused = await post('/orders', orderBody({ buyer: buyer('bob') }), await token({ sub: 'alice' }))
    expect(refused.status).toBe(403)
    expect(((await refused.json()) as { code: string }).code).toBe('AUTH.FORBIDDEN')
    expect(await tableCounts(h.database)).toEqual(before)
    expect((await post('/orders', orderBody({ buyer: buyer('alice') }), await token({ sub: 'alice' }))).status).toBe(201)
  })

  it("answers 404 for another buyer's order, its events and its cancellation; lists and mails only one's own", async () => {
    await heraldWithAuth()
    const alice = await token({ sub: 'alice' })
    const bob = await token({ sub: 'bob' })
    const created = await post('/orders', orderBody({ buyer: buyer('bob') }), bob)
    const { orderId } = (await created.json()) as { orderId: string }
    await post('/orders', orderBody({ buyer: buyer('alice') }), alice)

    expect((await get(`/orders/${orderId}`, bob)).status).toBe(200)
    for (const path of [`/orders/${orderId}`, `/orders/${orderId}/events`, '/orders/no-such-order']) {
      const response = await get(path, alice)
      expect(response.status, path).toBe(404)
      expect(((await response.json()) as { code: string }).code).toBe('ORDER.NOT_FOUND')
    }
    expect((await post(`/orders/${orderId}/cancel`, undefined, alice)).status).toBe(404)
    expect(((await (await get(`/orders/${orderId}`, bob)).json()) as { status: string }).status).toBe('submitted')

    expect((await get('/orders?buyerId=bob', alice)).status).toBe(403)
    const mine = (await (await get('/orders', alice)).json()) as { buyerId: string }[]
    expect(mine.map((o) => o.buyerId)).toEqual(['alice'])
    expect((await get('/notifications?buyerId=bob', alice)).status).toBe(403)
    const mails = (await (await get('/notifications', alice)).json()) as { buyerId: string }[]
    expect(mails.every((m) => m.buyerId === 'alice')).toBe(true)

    // Operators see everyone's; a buyer cannot ship, even their own.
    const operator = await token({ sub: 'ops', scope: 'herald:operator' })
    expect((await get(`/orders/${orderId}`, operator)).status).toBe(200)
    expect((await post(`/orders/${orderId}/ship`, undefined, bob)).status).toBe(403)
    expect((await post(`/orders/${orderId}/cancel`, undefined, bob)).status).toBe(200)
  })
})

describe('Idempotency-Key', () => {
  it("is the caller's own: another buyer's key neither answers 422 nor replays, and cannot be squatted", async () => {
    await heraldWithAuth()
    const alice = await token({ sub: 'alice' })
    const bob = await token({ sub: 'bob' })
    const order = (who: string, jwt: string, key: string, units = 1) =>
      h.request(
        '/orders',
        as(jwt, {
          method: 'POST',
          headers: { 'Idempotency-Key': key },
          body: JSON.stringify(orderBody({ buyer: buyer(who), items: [{ productId: 'mug', productName: 'Herald mug', unitPrice: 12.5, units }] })),
        }),
      )
    const idOf = async (response: Response) => {
      expect(response.status).toBe(201)
      return { orderId: ((await response.json()) as { orderId: string }).orderId, replayed: response.headers.get('Idempotent-Replayed') === 'true' }
    }

    const first = await idOf(await order('alice', alice, 'k1'))
    // Bob's own order under the same key: a new order, not a 422 and not Alice's answer.
    const bobs = await idOf(await order('bob', bob, 'k1', 2))
    expect(bobs.orderId).not.toBe(first.orderId)
    expect(bobs.replayed).toBe(false)
    // Each one's replay still answers their own first response.
    expect(await idOf(await order('alice', alice, 'k1'))).toEqual({ orderId: first.orderId, replayed: true })
    expect(await idOf(await order('bob', bob, 'k1', 2))).toEqual({ orderId: bobs.orderId, replayed: true })
    // Bob takes a key first; Alice's later request under it is hers alone.
    await idOf(await order('bob', bob, 'squatted'))
    expect((await idOf(await order('alice', alice, 'squatted', 3))).replayed).toBe(false)
    // A different request under one's own key is still refused.
    const reused = await order('alice', alice, 'k1', 5)
    expect(reused.status).toBe(422)
    expect(((await reused.json()) as { code: string }).code).toBe('IDEMPOTENCY.KEY_REUSED')
    // Scoped by the command's name and the caller, not by route text.
    const stored = (await h.database.client.execute('SELECT key FROM idempotency_keys ORDER BY key')).rows.map((r) => JSON.parse(String(r.key)))
    expect(stored).toContainEqual(['startOrder', 'user:alice', 'k1'])
    expect(stored).toContainEqual(['startOrder', 'user:bob', 'k1'])
  })
})

describe('correlation ids', () => {
  it("a buyer's X-Correlation-Id is kept under their own name: it never joins another buyer's chain; an operator's is kept as sent", async () => {
    await heraldWithAuth()
    const place = async (who: string, jwt: string) => {
      const placed = await h.request(
        '/orders',
        as(jwt, { method: 'POST', body: JSON.stringify(orderBody({ buyer: buyer(who) })), headers: { 'X-Correlation-Id': 'chain-1' } }),
      )
      expect(placed.status).toBe(201)
      return ((await placed.json()) as { orderId: string }).orderId
    }
    const correlationOf = async (orderId: string, jwt: string) => {
      const events = (await (await get(`/orders/${orderId}/events`, jwt)).json()) as { correlationId: string }[]
      return [...new Set(events.map((e) => e.correlationId))]
    }
    const bob = await token({ sub: 'bob' })
    const alice = await token({ sub: 'alice' })
    const bobs = await place('bob', bob)
    const alices = await place('alice', alice)
    expect(await correlationOf(bobs, bob)).toEqual(['bob/chain-1'])
    expect(await correlationOf(alices, alice)).toEqual(['alice/chain-1'])

    const cancelled = await h.request(`/orders/${bobs}/cancel`, as(ADMIN_TOKEN, { method: 'POST', headers: { 'X-Correlation-Id': 'ops-42' } }))
    expect(cancelled.status).toBe(200)
    expect(await correlationOf(bobs, ADMIN_TOKEN)).toEqual(['bob/chain-1', 'ops-42'])
  })
})

describe('development (no auth settings)', () => {
  it('stays open, admin aside', async () => {
    h = await testHerald({ config: { adminToken: ADMIN_TOKEN } })
    expect((await post('/orders', orderBody({ buyer: buyer('carol') }))).status).toBe(201)
    expect((await get('/events')).status).toBe(200)
    expect((await get('/admin/outbox')).status).toBe(401)
    expect((await get('/admin/outbox', ADMIN_TOKEN)).status).toBe(200)
  })
})
