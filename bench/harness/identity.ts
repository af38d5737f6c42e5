import { exportJWK, generateKeyPair, SignJWT } from 'jose'

/** What the bench's identity provider stamps on every token, and what both servers require. */
export const BENCH_ISSUER = 'https://id.herald.bench/'
export const BENCH_AUDIENCE = 'herald-api'
/** RS256: the default of most identity providers (Auth0, Okta, Entra ID, Cognito, Keycloak). */
const ALG = 'RS256'
const KID = 'bench-rsa-1'

export interface BuyerToken {
  readonly buyerId: string
  readonly token: string
}

export interface IdentityProvider {
  /** Where the JWKS is served (`/.well-known/jwks.json` on this process's loopback). */
  readonly jwksUrl: string
  /** Signs `count` buyer tokens ahead (autocannon builds requests synchronously): `sub` = `<tag>-<i>`. */
  tokens(tag: string, count: number): Promise<BuyerToken[]>
  stop(): void
}

/**
 * A stand-in identity provider, inside the suite's process: one RSA key, its public half served as
 * a JWKS over HTTP, and buyer tokens signed with it. Both servers of figure 10 fetch the JWKS over
 * real HTTP and verify real signatures; only the login is skipped.
 */
export async function startIdentityProvider(): Promise<IdentityProvider> {
  const pair = await generateKeyPair(ALG, { extractable: true })
  const jwks = { keys: [{ ...(await exportJWK(pair.publicKey)), kid: KID, alg: ALG, use: 'sig' }] }
  const server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => Response.json(jwks) })
  const sign = (buyerId: string) =>
    new SignJWT({})
      .setProtectedHeader({ alg: ALG, kid: KID })
      .setSubject(buyerId)
      .setIssuer(BENCH_ISSUER)
      .setAudience(BENCH_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('2h')
      .sign(pair.privateKey)
  return {
    jwksUrl: `http://127.0.0.1:${server.port}/.well-known/jwks.json`,
    async tokens(tag, count) {
      const pool: BuyerToken[] = []
      const chunk = 500
      for (let start = 0; start < count; start += chunk) {
        const ids = Array.from({ length: Math.min(chunk, count - start) }, (_, i) => `${tag}-${start + i}`)
        pool.push(...(await Promise.all(ids.map(async (buyerId) => ({ buyerId, token: await sign(buyerId) })))))
      }
      return pool
    },
    stop: () => server.stop(true),
  }
}
