/**
 * Abuse protection from the CloudEvents HTTP webhook spec
 * (https://github.com/cloudevents/spec/blob/main/cloudevents/http-webhook.md#4-abuse-protection):
 * before anyone sends events to an endpoint, the endpoint must say it wants them. Herald asks
 * (`requestConsent`) before it adds an external endpoint to a URL group, and answers the question
 * itself at its own subscriber routes (`handshakeAnswer`).
 */
import { isInternalAddress, isIpLiteral } from './public-address.ts'

export interface ConsentOptions {
  /** Who will send the events (the QStash host): the `WebHook-Request-Origin` asked about. */
  readonly origin: string
  /** Production: https only, and no loopback, private, link-local or metadata addresses. */
  readonly strict: boolean
  /** The host's addresses (DNS), to refuse a public name that points inside; without it only literal IPs are checked. */
  readonly resolve?: (hostname: string) => Promise<readonly string[]>
  readonly fetch?: typeof fetch
  readonly timeoutMs?: number
}

export type Consent = { readonly ok: true } | { readonly ok: false; readonly reason: string }

/** Validates `url` and asks it, by an `OPTIONS` handshake, whether it accepts events from `origin`. */
export async function requestConsent(url: string, options: ConsentOptions): Promise<Consent> {
  const target = new URL(url)
  if (!options.strict) return askEndpoint(target, options)
  if (target.protocol !== 'https:') return refuse('only https endpoints are accepted')
  const inside = await internalDestination(target.hostname, options.resolve)
  if (inside) return refuse(inside)
  // A name may resolve differently when fetch resolves it again (DNS rebinding): say nothing of
  // what the endpoint answered, so this route cannot be used to probe what sits inside.
  const answer = await askEndpoint(target, options)
  return answer.ok
    ? answer
    : refuse('the endpoint did not consent to the webhook handshake (it must answer OPTIONS with 200 or 204 and WebHook-Allowed-Origin)')
}

/** Why `hostname` must not be called from production, if it must not: an internal literal or name, or a name resolving to one. */
async function internalDestination(hostname: string, resolve: ConsentOptions['resolve']): Promise<string | undefined> {
  const host = hostname.replace(/^\[|\]$/g, '')
  if (isIpLiteral(host)) return isInternalAddress(host) ? `${host} is not a public address` : undefined
  if (isInternalName(host)) return `${host} is not a public address`
  const addresses = resolve ? await resolve(host).catch(() => undefined) : []
  // Unresolvable and resolving inside read the same, so the answer does not tell which internal names exist.
  if (!addresses || addresses.some(isInternalAddress)) return `${host} does not resolve to public addresses only`
  return undefined
}

async function askEndpoint(target: URL, options: ConsentOptions): Promise<Consent> {
  let response: Response
  try {
    response = await (options.fetch ?? fetch)(target, {
      method: 'OPTIONS',
      headers: { 'WebHook-Request-Origin': options.origin, 'WebHook-Request-Rate': '120' },
      redirect: 'manual',
      signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
    })
  } catch (error) {
    const name = (error as Error).name
    return refuse(name === 'TimeoutError' || name === 'AbortError' ? 'the handshake timed out' : 'the endpoint could not be reached')
  }
  if (response.status >= 300 && response.status < 400) return refuse(`the handshake was redirected (${response.status}); redirects are not followed`)
  if (response.status !== 200 && response.status !== 204) return refuse(`the handshake was answered ${response.status}`)
  const allowed = response.headers.get('WebHook-Allowed-Origin')
  if (allowed !== '*' && allowed !== options.origin) return refuse(`the endpoint did not allow origin ${options.origin}`)
  return { ok: true }
}

/**
 * Herald's own answer to a handshake at a subscriber route: consent for the configured origin
 * (QStash's host), or for any origin when none is configured (development).
 */
export function handshakeAnswer(
  request: { origin: string | undefined; rate: string | undefined },
  allowedOrigin: string | undefined,
): { status: number; headers: Record<string, string> } {
  if (!request.origin) return { status: 400, headers: { Allow: 'POST, OPTIONS' } }
  if (allowedOrigin !== undefined && request.origin !== allowedOrigin) return { status: 403, headers: { Allow: 'POST, OPTIONS' } }
  return {
    status: 200,
    headers: { 'WebHook-Allowed-Origin': request.origin, Allow: 'POST', ...(request.rate ? { 'WebHook-Allowed-Rate': '*' } : {}) },
  }
}

const refuse = (reason: string): Consent => ({ ok: false, reason })

function isInternalName(host: string): boolean {
  // A trailing dot is the same name, fully qualified.
  const name = host.toLowerCase().replace(/\.$/, '')
  return name === 'localhost' || name.endsWith('.localhost') || name.endsWith('.internal') || name === 'metadata' || name.endsWith('.local')
}
