import { afterEach, describe, expect, it } from 'bun:test'
import { isInternalAddress, requestConsent } from '../../src/platform/messaging/webhook-handshake.ts'
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
      'https://metadata.google.internal/',
    ]) {
      const answer = await requestConsent(url, strict)
      expect(answer.ok, url).toBe(false)
    }
    const inside = await requestConsent('https://hooks.example.com/events', { ...strict, resolve: async () => ['192.168.1.20'] })
    expect(inside).toEqual({ ok: false, reason: 'hooks.example.com resolves to 192.168.1.20, a loopback, private, link-local or metadata address' })
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

  it('knows internal addresses', () => {
    for (const inside of [
      '127.0.0.1',
      '10.0.0.1',
      '172.16.5.4',
      '192.168.0.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '::1',
      'fe80::1',
      'fd12::1',
      '::ffff:10.0.0.1',
    ]) {
      expect(isInternalAddress(inside), inside).toBe(true)
    }
    for (const outside of ['93.184.216.34', '8.8.8.8', '172.32.0.1', '2606:4700::1111']) expect(isInternalAddress(outside), outside).toBe(false)
  })
})
