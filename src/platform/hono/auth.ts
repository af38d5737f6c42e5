import type { Context } from 'hono'
import { createMiddleware } from 'hono/factory'
import { createLocalJWKSet, errors, type JSONWebKeySet, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from 'jose'
import { problem } from './problem.ts'
import { tokenMatcher } from './require-admin.ts'

/**
 * Who is calling. `open`: development without auth settings (every route answers, as before);
 * `user`: a verified JWT's subject (e.g. a buyer); `operator`: the admin token, or a JWT with the
 * operator scope.
 */
export type Caller =
  | { readonly kind: 'open' }
  | { readonly kind: 'anonymous' }
  | { readonly kind: 'user'; readonly subject: string; readonly scopes: readonly string[] }
  | { readonly kind: 'operator'; readonly subject: string | undefined }

export interface AuthSettings {
  /** The identity provider's JWKS (`AUTH_JWKS_URL`); keys are cached and refetched on an unknown `kid`. */
  readonly jwksUrl: string
  readonly issuer: string
  readonly audience: string
  /** The scope that makes a JWT an operator's (`AUTH_OPERATOR_SCOPE`, default `herald:operator`). */
  readonly operatorScope: string
  /** Seconds of clock skew allowed on `exp` and `nbf` (default 30). */
  readonly clockToleranceSeconds?: number
  /** The shortest time between two JWKS fetches, e.g. on a flood of unknown `kid`s (default 5 s). */
  readonly jwksCooldownMs?: number
  /** For tests and runtimes with their own fetch. */
  readonly fetch?: typeof fetch
  /** The clock the cooldown is measured with (default `Date.now`). */
  readonly now?: () => number
}

/** Asymmetric algorithms only: an HS256 token "signed" with a public key, or `alg: none`, is refused. */
const ALGORITHMS = ['RS256', 'ES256', 'EdDSA']

/**
 * Routes anyone may call: health, the schema registry and API docs, the signature-checked
 * deliveries, and the dashboard's page and assets (they hold no data; its API is for operators).
 */
const PUBLIC = [
  /^\/$/,
  /^\/dashboard\/assets\//,
  /^\/health$/,
  /^\/schemas(\/|$)/,
  /^\/asyncapi\.json$/,
  /^\/openapi\.json$/,
  /^\/docs$/,
  /^\/subscribers\/[^/]+$/,
  /^\/internal\/handlers\/[^/]+$/,
]
/** Routes for operators: the event store, the dashboard (page, API, stream), metrics and admin. */
const OPERATOR = [/^\/events$/, /^\/dashboard\/api\//, /^\/metrics$/, /^\/admin(\/|$)/]

export type AccessLevel = 'public' | 'operator' | 'user'

/** Which callers a path is for: public, operators only, or any authenticated caller (the default). */
export function accessLevel(path: string): AccessLevel {
  if (PUBLIC.some((pattern) => pattern.test(path))) return 'public'
  if (OPERATOR.some((pattern) => pattern.test(path))) return 'operator'
  return 'user'
}

export interface AuthEnv {
  Variables: { caller: Caller }
}

/**
 * Authenticates every request and sets `c.var.caller`. Without `settings` (development) every
 * caller is `open`, except that the admin token still makes an `operator`. With them, a bearer JWT
 * is verified against the JWKS (issuer, audience, `exp`/`nbf`, asymmetric algorithms), a missing
 * or bad one is a 401 on every route but the public ones, an operator route wants the admin token
 * or the operator scope (403 otherwise), and a JWKS that cannot be reached is a 503 with
 * `Retry-After` — never a 500, never an open door.
 */
export function authenticate(options: { settings: AuthSettings | undefined; adminToken: string | undefined }) {
  const { settings, adminToken } = options
  const jwks = settings ? remoteKeys(settings) : undefined
  const isAdminToken = adminToken ? tokenMatcher(adminToken) : undefined

  return createMiddleware<AuthEnv>(async function authenticateCaller(c, next) {
    const token = bearer(c)
    const level = accessLevel(c.req.path)
    if (token && isAdminToken && (await isAdminToken(token))) {
      c.set('caller', { kind: 'operator', subject: undefined })
      return next()
    }
    if (!settings || !jwks) {
      c.set('caller', { kind: 'open' })
      return next()
    }
    if (!token) {
      if (level === 'public') {
        c.set('caller', { kind: 'anonymous' })
        return next()
      }
      return unauthorized(c, 'Send Authorization: Bearer <token>')
    }
    let payload: JWTPayload
    try {
      ;({ payload } = await jwtVerify(token, jwks, {
        issuer: settings.issuer,
        audience: settings.audience,
        algorithms: ALGORITHMS,
        clockTolerance: settings.clockToleranceSeconds ?? 30,
        requiredClaims: ['sub', 'exp'],
      }))
    } catch (error) {
      if (unavailable(error)) {
        return problem(
          c,
          { title: 'Service unavailable', status: 503, code: 'AUTH.UNAVAILABLE', detail: 'The identity provider cannot be reached' },
          { 'Retry-After': '5' },
        )
      }
      if (level === 'public') {
        c.set('caller', { kind: 'anonymous' })
        return next()
      }
      return unauthorized(c, reason(error))
    }
    const scopes = scopesOf(payload)
    const subject = String(payload.sub)
    c.set('caller', scopes.includes(settings.operatorScope) ? { kind: 'operator', subject } : { kind: 'user', subject, scopes })
    if (level === 'operator' && !scopes.includes(settings.operatorScope)) {
      return problem(c, {
        title: 'Forbidden',
        status: 403,
        code: 'AUTH.FORBIDDEN',
        detail: `This route needs the admin token or the ${settings.operatorScope} scope`,
      })
    }
    return next()
  })
}

/**
 * Whether the caller may see or change what belongs to `owner`: operators and open (development)
 * callers may; a user only their own. Routes answer 404 otherwise, so nobody learns what exists.
 */
export function mayAccess(caller: Caller | undefined, owner: string): boolean {
  if (!caller || caller.kind === 'open' || caller.kind === 'operator') return true
  return caller.kind === 'user' && caller.subject === owner
}

/**
 * The JWKS, cached as plain data and fetched again on an unknown `kid`: at most one fetch per
 * cooldown, whatever the concurrency. The fetch is claimed (its start time set, `fetching` on)
 * before its first `await`, so every other request sees it; they wait for what it stores by
 * polling those plain values, never by awaiting its promise — workerd cancels a request that
 * awaits a promise another request started, as hung (and jose's remote set shares one).
 */
function remoteKeys(settings: AuthSettings): JWTVerifyGetKey {
  const cooldownMs = settings.jwksCooldownMs ?? 5000
  const now = settings.now ?? Date.now
  let keys: ReturnType<typeof createLocalJWKSet> | undefined
  let startedAt = Number.NEGATIVE_INFINITY
  let fetching = false

  const fetchKeys = async () => {
    const timeout = new AbortController()
    const timer = setTimeout(() => timeout.abort(), FETCH_TIMEOUT_MS)
    const response = await (settings.fetch ?? fetch)(settings.jwksUrl, { headers: { Accept: 'application/json' }, signal: timeout.signal })
      .catch((error: Error) => {
        throw timeout.signal.aborted ? new errors.JWKSTimeout() : error
      })
      .finally(() => clearTimeout(timer))
    if (response.status !== 200) throw new errors.JOSEError(`Expected 200 OK from the JSON Web Key Set, got ${response.status}`)
    const set = (await response.json().catch(() => undefined)) as JSONWebKeySet | undefined
    if (!set || !Array.isArray(set.keys)) throw new errors.JWKSInvalid('The JSON Web Key Set is malformed')
    keys = createLocalJWKSet(set)
  }
  /** Fetches unless a fetch is running or started within the cooldown; false when it did not. */
  const refresh = async (): Promise<boolean> => {
    if (fetching || now() - startedAt < cooldownMs) return false
    fetching = true
    startedAt = now()
    try {
      await fetchKeys()
    } finally {
      fetching = false
    }
    return true
  }
  /** Until the fetch another request started has ended (its own timeout bounds it). */
  const fetchEnded = async () => {
    const deadline = Date.now() + FETCH_TIMEOUT_MS + 1000
    while (fetching && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10))
  }

  return async (header, token) => {
    if (!keys) {
      if (!(await refresh())) await fetchEnded()
      // The base class: `unavailable` makes it a 503, as for a JWKS that could not be fetched.
      if (!keys) throw new errors.JOSEError('The JSON Web Key Set could not be fetched')
    }
    try {
      return await keys(header, token)
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey)) throw error
      // A key the cached set does not have: the provider may have rotated it in. Fetch again, or
      // wait for the fetch running, and try once more; within the cooldown it stays unknown.
      if (!(await refresh())) {
        if (!fetching) throw error
        await fetchEnded()
      }
      return keys(header, token)
    }
  }
}

const FETCH_TIMEOUT_MS = 3000

/**
 * Who the caller is, as a scope for what must not be shared between callers (Idempotency-Keys):
 * `user:<sub>`, `operator:<sub>` (`operator` for the admin token), `anonymous`; undefined in
 * development, where every caller is one open caller.
 */
export function callerScope(caller: Caller | undefined): string | undefined {
  switch (caller?.kind) {
    case 'user':
      return `user:${caller.subject}`
    case 'operator':
      return caller.subject === undefined ? 'operator' : `operator:${caller.subject}`
    case 'anonymous':
      return 'anonymous'
    default:
      return undefined
  }
}

/** The user's subject when a user calls, undefined for operators and open callers. */
export function userSubject(caller: Caller | undefined): string | undefined {
  return caller?.kind === 'user' ? caller.subject : undefined
}

function bearer(c: Context): string | undefined {
  const [scheme, token] = (c.req.header('Authorization') ?? '').split(' ')
  return scheme?.toLowerCase() === 'bearer' && token ? token : undefined
}

function unauthorized(c: Context, detail: string): Response {
  return problem(c, { title: 'Unauthorized', status: 401, code: 'AUTH.UNAUTHORIZED', detail }, { 'WWW-Authenticate': 'Bearer realm="herald"' })
}

function scopesOf(payload: JWTPayload): string[] {
  const scope = payload.scope ?? payload.scp
  if (typeof scope === 'string') return scope.split(' ').filter(Boolean)
  return Array.isArray(scope) ? scope.map(String) : []
}

/** The JWKS could not be fetched (down, timing out, not a JWKS): the caller is not at fault. */
function unavailable(error: unknown): boolean {
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) return true
  // jose reports a JWKS answered with a non-200 or non-JSON with its base class; token faults have subclasses.
  if (error instanceof errors.JOSEError) return error.constructor === errors.JOSEError
  return true // a network error from fetch
}

/** Why a token was refused, in words that reveal nothing about the keys. */
function reason(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'The token has expired'
  if (error instanceof errors.JWTClaimValidationFailed) return `The token's ${error.claim} claim is not accepted`
  if (error instanceof errors.JOSEAlgNotAllowed) return 'The token is not signed with an accepted algorithm'
  if (error instanceof errors.JWKSNoMatchingKey) return 'The token is signed with an unknown key'
  return 'The token is not valid'
}
