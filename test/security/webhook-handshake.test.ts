import { afterEach, describe, expect, it } from 'bun:test'
import { lookup } from 'node:dns/promises'
import { isInternalAddress } from '../../src/platform/messaging/public-address.ts'
import { requestConsent } from '../../src/platform/messaging/webhook-handshake.ts'
import { type Stack, startStack } from '../support/stack.ts'

/*
 * The CloudEvents HTTP webhook spec's validation handshake, both ways, against real local HTTP
 * endpoints: Herald's subscriber routes answer it, and Herald asks it of an external endpoint
 * before that endpoint may join a URL group.
 */

let stack: Stack | undefined
const servers: ReturnType<typeof Bun.serve>[] = []
afterEach(async () => {
  await stack?.stop()
  stack = undefined
  for (const server of servers.splice(0)) server.stop(true)
})

function endpoint(answer: (request: Request) => Response | Promise<Response>) {
  const server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: answer })
  servers.push(server)
  return `http://127.0.0.1:${server.port}/events`
}

const consenting = (request: Request) =>
  request.method === 'OPTIONS'
    ? new Response(null, { status: 200, headers: { 'WebHook-Allowed-Origin': request.headers.get('WebHook-Request-Origin') ?? '', Allow: 'POST' } })
    : new Response('ok')

const subscribe = (url: string) =>
  stack!.admin('/admin/subscriptions', { method: 'POST', body: JSON.stringify({ eventType: 'herald.ordering.OrderShipped.v1', name: 'acme', url }) })

describe("Herald's subscriber routes answer the handshake", () => {
  it('consents for the broker origin, with Allow: POST and the allowed rate; refuses others', async () => {
    stack = await startStack()
    const origin = new URL(stack.broker.url).host
    const ask = (headers: Record<string, string>) => fetch(`${stack!.publicUrl}/subscribers/catalog`, { method: 'OPTIONS', headers })
    const yes = await ask({ 'WebHook-Request-Origin': origin, 'WebHook-Request-Rate': '120' })
    expect(yes.status).toBe(200)
    expect(yes.headers.get('WebHook-Allowed-Origin')).toBe(origin)
    expect(yes.headers.get('Allow')).toBe('POST')
    expect(yes.headers.get('WebHook-Allowed-Rate')).toBe('*')
    expect((await ask({ 'WebHook-Request-Origin': 'evil.example' })).status).toBe(403)
    expect((await ask({})).status).toBe(400)
  })
})

describe('POST /admin/subscriptions asks the endpoint first', () => {
  it('adds an endpoint that consents', async () => {
    stack = await startStack()
    const url = endpoint(consenting)
    expect((await subscribe(url)).status).toBe(201)
    const groups = await stack.qstash.urlGroups.list()
    expect(groups.find((g) => g.name === 'herald.ordering.OrderShipped.v1')?.endpoints.map((e) => e.url)).toContain(url)
  })

  it('refuses, with a 422 naming why, an endpoint that says no, redirects, or does not answer in time — and adds nothing', async () => {
    stack = await startStack({ herald: { config: { handshakeTimeoutMs: 300 } } })
    const cases: [string, string][] = [
      [endpoint(() => new Response('no', { status: 405 })), 'answered 405'],
      [endpoint(() => new Response(null, { status: 200 })), 'did not allow origin'],
      [endpoint(() => new Response(null, { status: 302, headers: { Location: 'http://169.254.169.254/' } })), 'redirected'],
      [endpoint(() => new Promise<Response>(() => {})), 'timed out'],
    ]
    for (const [url, why] of cases) {
      const response = await subscribe(url)
      expect(response.status, why).toBe(422)
      const body = (await response.json()) as { code: string; detail: string }
      expect(body.code).toBe('SUBSCRIPTION.REFUSED')
      expect(body.detail).toContain(why)
    }
    const groups = await stack.qstash.urlGroups.list()
    const urls = groups.find((g) => g.name === 'herald.ordering.OrderShipped.v1')?.endpoints.map((e) => e.url) ?? []
    expect(urls.filter((url) => cases.some(([refused]) => refused === url))).toEqual([])
  })
})

describe('in production (strict)', () => {
  const strict = { origin: 'qstash.upstash.io', strict: true, timeoutMs: 500 }

  it('takes https only, and no loopback, private, link-local or metadata address, literal or resolved', async () => {
    expect(await requestConsent('http://hooks.example.com/events', strict)).toEqual({ ok: false, reason: 'only https endpoints are accepted' })
    for (const url of [
      'https://127.0.0.1/e',
      'https://10.1.2.3/e',
      'https://169.254.169.254/latest',
      'https://[::1]/e',
      'https://localhost/e',
      'https://localhost./e',
      'https://metadata.google.internal/',
    ]) {
      const answer = await requestConsent(url, strict)
      expect(answer.ok, url).toBe(false)
    }
    const inside = await requestConsent('https://hooks.example.com/events', { ...strict, resolve: async () => ['93.184.216.34', '::ffff:192.168.1.20'] })
    // Neither the internal address nor whether the name resolved at all is told back.
    expect(inside).toEqual({ ok: false, reason: 'hooks.example.com does not resolve to public addresses only' })
    const unresolvable = await requestConsent('https://nowhere.example/events', { ...strict, resolve: async () => Promise.reject(new Error('ENOTFOUND')) })
    expect(unresolvable).toEqual({ ok: false, reason: 'nowhere.example does not resolve to public addresses only' })
  })

  it('asks a public https endpoint, without following redirects', async () => {
    const asked: RequestInit[] = []
    const fakeFetch = (async (_url: URL, init: RequestInit) => {
      asked.push(init)
      return new Response(null, { status: 204, headers: { 'WebHook-Allowed-Origin': '*' } })
    }) as unknown as typeof fetch
    // A mock: no public https endpoint is reachable from here.
    expect(await requestConsent('https://hooks.example.com/events', { ...strict, resolve: async () => ['93.184.216.34'], fetch: fakeFetch })).toEqual({
      ok: true,
    })
    expect(asked[0]).toMatchObject({ method: 'OPTIONS', redirect: 'manual' })
  })

  it('tells nothing of what a refusing endpoint answered (a rebound name could be inside)', async () => {
    const answering = (response: () => Response) => (async () => response()) as unknown as typeof fetch
    const answers = [
      () => new Response('admin console', { status: 405 }),
      () => new Response(null, { status: 302, headers: { Location: 'http://10.0.0.1/' } }),
      () => new Response(null, { status: 200 }),
      () => {
        throw new TypeError('connection refused')
      },
    ]
    const reasons = new Set<string>()
    for (const answer of answers) {
      const consent = await requestConsent('https://hooks.example.com/events', { ...strict, resolve: async () => ['93.184.216.34'], fetch: answering(answer) })
      expect(consent.ok).toBe(false)
      if (!consent.ok) reasons.add(consent.reason)
    }
    expect([...reasons]).toHaveLength(1)
    expect([...reasons][0]).not.toMatch(/405|302|10\.0\.0\.1|refused|admin console/)
  })

  it('knows internal addresses in every spelling', () => {
    for (const inside of [
      '127.0.0.1',
      '127.1',
      '0x7f.0.0.1',
      '2130706433',
      '10.0.0.1',
      '172.16.5.4',
      '192.168.0.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '255.255.255.255',
      '::1',
      '::',
      '0:0:0:0:0:0:0:1',
      'fe80::1',
      'fe80::1%eth0',
      'fd12::1',
      'fd00:ec2::254',
      '::ffff:10.0.0.1',
      '::ffff:127.0.0.1',
      '::FFFF:7F00:1',
      '0:0:0:0:0:ffff:7f00:1',
      '[::ffff:7f00:1]',
      '::ffff:169.254.169.254',
      '::ffff:a9fe:a9fe',
      '::7f00:1',
      '64:ff9b::7f00:1',
      '64:ff9b::a9fe:a9fe',
      '2002:7f00:1::1',
      '2001:0:4136:e378:8000:63bf:3fff:fdd2',
      '2001:db8::1',
      'ff02::1',
      'not-an-address',
      '',
    ]) {
      expect(isInternalAddress(inside), inside).toBe(true)
    }
    for (const outside of ['93.184.216.34', '8.8.8.8', '172.32.0.1', '2606:4700::1111', '::ffff:8.8.8.8', '64:ff9b::808:808', '[2a00:1450:4001:82b::200e]'])
      expect(isInternalAddress(outside), outside).toBe(false)
  })
})

describe('POST /admin/subscriptions in production', () => {
  it('refuses an internal address in any spelling, literal or resolved, without ever connecting to it', async () => {
    // A bare TCP listener: any connection at all, TLS or not, is the SSRF reaching inside.
    let connections = 0
    const listener = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { open: () => void connections++, data: () => undefined } })
    const port = listener.port
    const resolved: Record<string, string[]> = { 'rebound.example.com': ['93.184.216.34', '::ffff:127.0.0.1'], 'mapped.example.com': ['0:0:0:0:0:ffff:7f00:1'] }
    stack = await startStack({
      // The service's own resolver (node:dns), with two names an attacker would control.
      herald: { config: { production: true }, resolveHost: async (host) => resolved[host] ?? (await lookup(host, { all: true })).map((a) => a.address) },
    })
    try {
      for (const url of [
        `https://[::ffff:127.0.0.1]:${port}/e`,
        `https://[0:0:0:0:0:ffff:7f00:1]:${port}/e`,
        `https://[::ffff:7f00:1]:${port}/e`,
        'https://[::ffff:169.254.169.254]/latest/meta-data/',
        'https://[::ffff:10.1.2.3]/e',
        `https://[64:ff9b::7f00:1]:${port}/e`,
        `https://0x7f.1:${port}/e`,
        `https://2130706433:${port}/e`,
        `https://localhost.:${port}/e`,
        `https://rebound.example.com:${port}/e`,
        `https://mapped.example.com:${port}/e`,
      ]) {
        const response = await subscribe(url)
        expect(connections, url).toBe(0)
        expect(response.status, url).toBe(422)
        const body = (await response.json()) as { code: string; detail: string }
        expect(body.code, url).toBe('SUBSCRIPTION.REFUSED')
        expect(body.detail, url).toMatch(/is not a public address|does not resolve to public addresses only/)
      }
      const groups = await stack.qstash.urlGroups.list()
      const endpoints = groups.find((g) => g.name === 'herald.ordering.OrderShipped.v1')?.endpoints ?? []
      expect(endpoints.filter((e) => e.name?.startsWith('external-'))).toEqual([])
    } finally {
      listener.stop(true)
    }
  })
})
