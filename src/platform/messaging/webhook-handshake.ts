/**
 * Abuse protection from the CloudEvents HTTP webhook spec
 * (https://github.com/cloudevents/spec/blob/main/cloudevents/http-webhook.md#4-abuse-protection):
 * before anyone sends events to an endpoint, the endpoint must say it wants them. Herald asks
 * (`requestConsent`) before it adds an external endpoint to a URL group, and answers the question
 * itself at its own subscriber routes (`handshakeAnswer`).
 */

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
  if (options.strict && target.protocol !== 'https:') return refuse('only https endpoints are accepted')
  const host = target.hostname.replace(/^\[|\]$/g, '')
  if (options.strict) {
    if (isInternalName(host) || isInternalAddress(host)) return refuse(`${host} is a loopback, private, link-local or metadata address`)
    const addresses = options.resolve ? await options.resolve(host).catch(() => undefined) : []
    if (!addresses) return refuse(`${host} does not resolve`)
    const inside = addresses.find(isInternalAddress)
    if (inside) return refuse(`${host} resolves to ${inside}, a loopback, private, link-local or metadata address`)
  }
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
  const name = host.toLowerCase()
  return name === 'localhost' || name.endsWith('.localhost') || name.endsWith('.internal') || name === 'metadata' || name.endsWith('.local')
}

/** Loopback, private, shared, link-local (incl. cloud metadata 169.254.169.254), multicast, unspecified. */
export function isInternalAddress(address: string): boolean {
  const v4 = ipv4(address)
  if (v4) {
    const [a, b] = v4 as [number, number, number, number]
    return (
      a === 0 ||
      a === 10 ||
      a === 127 ||
      (a === 100 && b >= 64 && b <= 127) ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 198 && (b === 18 || b === 19)) ||
      a >= 224
    )
  }
  const v6 = address.toLowerCase()
  if (!v6.includes(':')) return false
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(v6)?.[1]
  if (mapped) return isInternalAddress(mapped)
  return v6 === '::' || v6 === '::1' || /^f[cd]/.test(v6) || /^fe[89ab]/.test(v6) || /^ff/.test(v6) || v6.startsWith('fd00:ec2::')
}

function ipv4(address: string): number[] | undefined {
  const parts = address.split('.')
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p))) return undefined
  const numbers = parts.map(Number)
  return numbers.every((n) => n <= 255) ? numbers : undefined
}
