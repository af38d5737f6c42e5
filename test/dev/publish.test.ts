import { afterEach, describe, expect, test } from 'bun:test'
import { QstashError } from '@upstash/qstash'
import { DEV_CURRENT_SIGNING_KEY, DEV_NEXT_SIGNING_KEY } from '../../src/dev/index.ts'
import { api, receiver, runCleanups, sdkClient, startReceiver, testBroker, verify, waitFor } from './support.ts'

afterEach(runCleanups)

function jwtParts(token: string) {
  const [header, payload] = token
    .split('.')
    .slice(0, 2)
    .map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()))
  return { header, payload }
}

describe('dev broker: publish', () => {
  test('GET /v2/keys answers the signing keys; the API refuses a missing or wrong token', async () => {
    const broker = await testBroker()
    expect(await (await api(broker, '/v2/keys')).json()).toEqual({
      current: DEV_CURRENT_SIGNING_KEY,
      next: DEV_NEXT_SIGNING_KEY,
    })
    expect((await fetch(`${broker.url}/v2/keys`)).status).toBe(401)
    const wrong = sdkClient(broker.url, 'not-the-token')
    const error = await wrong.publish({ url: 'http://127.0.0.1:1/', body: 'x' }).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(QstashError)
    expect((error as QstashError).status).toBe(401)
  })

  test('delivers a signed message the SDK Receiver verifies, with forwarded headers only', async () => {
    const broker = await testBroker()
    const target = startReceiver()
    const url = target.url('/events?source=test&n=1')
    const { messageId, url: answeredUrl } = await broker.client.publish({
      url,
      body: '{"hello":"world"}',
      headers: { 'Content-Type': 'application/cloudevents+json', 'X-Tenant': 'acme', Authorization: 'Bearer app' },
      retries: 2,
    })
    expect(messageId).toMatch(/^msg_/)
    expect(answeredUrl).toBe(url)

    const [delivery] = await waitFor(() => target.deliveries.length === 1 && target.deliveries)
    if (!delivery) throw new Error('no delivery')
    expect(delivery.url).toBe(url) // the destination's own query string is kept
    expect(delivery.method).toBe('POST')
    expect(delivery.body).toBe('{"hello":"world"}')
    expect(delivery.headers.get('content-type')).toBe('application/cloudevents+json')
    expect(delivery.headers.get('x-tenant')).toBe('acme')
    expect(delivery.headers.get('authorization')).toBe('Bearer app')
    expect(delivery.headers.get('upstash-message-id')).toBe(messageId)
    expect(delivery.headers.get('upstash-retried')).toBe('0')
    // Upstash-* options and the SDK's telemetry headers are for QStash, not the destination.
    expect(delivery.headers.get('upstash-retries')).toBeNull()
    expect(delivery.headers.get('upstash-method')).toBeNull()
    expect(delivery.headers.get('upstash-telemetry-sdk')).toBeNull()
    expect([...delivery.headers.keys()].filter((name) => name.startsWith('upstash-forward-'))).toEqual([])

    expect(await verify(delivery, url)).toBe(true)
    await expect(verify(delivery, target.url('/other'))).rejects.toThrow(/invalid subject/)
    await expect(receiver.verify({ signature: delivery.headers.get('upstash-signature') ?? '', body: 'tampered', url })).rejects.toThrow(/body hash/)

    const { header, payload } = jwtParts(delivery.headers.get('upstash-signature') ?? '')
    expect(header).toEqual({ alg: 'HS256', typ: 'JWT' })
    expect(payload.iss).toBe('Upstash')
    expect(payload.sub).toBe(url)
    expect(payload.exp - payload.iat).toBe(300)
    expect(payload.nbf).toBe(payload.iat)
    expect(payload.jti).toBeString()
    expect(payload.body).toBe(Buffer.from(new Bun.CryptoHasher('sha256').update('{"hello":"world"}').digest()).toString('base64url'))
  })

  test('signs each attempt afresh and honours Upstash-Method', async () => {
    const broker = await testBroker({ retryDelayScale: 0.0001 })
    const target = startReceiver((_, index) => new Response(null, { status: index === 0 ? 500 : 200 }))
    await broker.client.publish({ url: target.url('/put'), body: 'x', method: 'PUT' })
    const deliveries = await waitFor(() => target.deliveries.length === 2 && target.deliveries)
    expect(deliveries.map((delivery) => delivery.method)).toEqual(['PUT', 'PUT'])
    const [first, second] = deliveries.map((delivery) => jwtParts(delivery.headers.get('upstash-signature') ?? '').payload)
    expect(first.jti).not.toBe(second.jti)
    for (const delivery of deliveries) expect(await verify(delivery)).toBe(true)
  })

  test('delivers binary bodies byte for byte, signed over the raw bytes', async () => {
    const broker = await testBroker()
    const target = startReceiver()
    const bytes = new Uint8Array([0, 255, 128, 10, 13, 0xc3])
    await broker.client.publish({ url: target.url('/bin'), body: new Blob([bytes]), headers: { 'Content-Type': 'application/octet-stream' } })
    const [delivery] = await waitFor(() => target.deliveries.length === 1 && target.deliveries)
    expect([...(delivery?.bytes ?? [])]).toEqual([...bytes])
    const { payload } = jwtParts(delivery?.headers.get('upstash-signature') ?? '')
    expect(payload.body).toBe(Buffer.from(new Bun.CryptoHasher('sha256').update(bytes).digest()).toString('base64url'))
  })

  test('batch publishes several messages in one request', async () => {
    const broker = await testBroker()
    const target = startReceiver()
    const results = await broker.client.batchJSON([
      { url: target.url('/a'), body: { n: 1 } },
      { url: target.url('/b'), body: { n: 2 }, headers: { 'X-Kind': 'b' } },
    ])
    expect(results).toHaveLength(2)
    expect(results.map((result) => (result as { url: string }).url)).toEqual([target.url('/a'), target.url('/b')])
    await waitFor(() => target.deliveries.length === 2)
    const byPath = Object.fromEntries(target.deliveries.map((delivery) => [new URL(delivery.url).pathname, delivery]))
    expect(byPath['/a']?.body).toBe('{"n":1}')
    expect(byPath['/b']?.headers.get('x-kind')).toBe('b')
    expect(byPath['/b']?.headers.get('content-type')).toBe('application/json')
    for (const delivery of target.deliveries) expect(await verify(delivery)).toBe(true)
  })

  test('a bad batch entry refuses the whole batch', async () => {
    const broker = await testBroker()
    const target = startReceiver()
    const response = await api(broker, '/v2/batch', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        { destination: target.url('/ok'), body: 'fine' },
        { destination: target.url('/bad'), headers: { 'Upstash-Retry-Delay': 'eval(1)' } },
      ]),
    })
    expect(response.status).toBe(400)
    const later = await broker.client.publish({ url: target.url('/after'), body: 'after' })
    await waitFor(() => target.deliveries.length === 1)
    expect(target.deliveries[0]?.headers.get('upstash-message-id')).toBe(later.messageId)
  })
})

describe('dev broker: deduplication', () => {
  test('the same deduplication id is accepted (202) with the same message id and delivered once', async () => {
    const broker = await testBroker()
    const target = startReceiver()
    const queue = broker.client.queue({ queueName: 'dedup' })
    const first = await queue.enqueue({ url: target.url('/e'), body: 'one', deduplicationId: 'evt-1' })
    const again = await api(broker, `/v2/enqueue/dedup/${target.url('/e')}`, {
      method: 'POST',
      headers: { 'Upstash-Deduplication-Id': 'evt-1' },
      body: 'one',
    })
    expect(again.status).toBe(202)
    expect(await again.json()).toEqual({ messageId: first.messageId, url: target.url('/e'), deduplicated: true })
    const viaSdk = await queue.enqueue({ url: target.url('/e'), body: 'one', deduplicationId: 'evt-1' })
    expect(viaSdk.messageId).toBe(first.messageId)
    // A FIFO sentinel: once it arrives, anything enqueued before it has been delivered.
    await queue.enqueue({ url: target.url('/sentinel'), body: 'end' })
    await waitFor(() => target.deliveries.some((delivery) => delivery.url.endsWith('/sentinel')))
    expect(target.deliveries.map((delivery) => new URL(delivery.url).pathname)).toEqual(['/e', '/sentinel'])
  })

  test('content-based deduplication keys on destination, headers and body', async () => {
    const broker = await testBroker()
    const target = startReceiver()
    const publish = (body: string, url = target.url('/c')) => broker.client.publish({ url, body, contentBasedDeduplication: true, delay: 3600 })
    const a = await publish('same')
    const b = await publish('same')
    const c = await publish('different')
    const d = await publish('same', target.url('/other'))
    expect(b.messageId).toBe(a.messageId)
    expect(b.deduplicated).toBe(true)
    expect(new Set([a.messageId, c.messageId, d.messageId]).size).toBe(3)
  })

  test('a deduplication id with a colon is refused, as QStash does', async () => {
    const broker = await testBroker()
    const error = await broker.client.publish({ url: 'http://127.0.0.1:1/', body: 'x', deduplicationId: 'order:1' }).catch((caught: unknown) => caught)
    expect((error as QstashError).status).toBe(400)
    expect((error as QstashError).message).toContain("cannot contain ':'")
  })
})

describe('dev broker: delays and messages', () => {
  test('Upstash-Delay holds the message back (scaled by retryDelayScale)', async () => {
    const broker = await testBroker({ retryDelayScale: 0.25 })
    const target = startReceiver()
    const publishedAt = Date.now()
    const { messageId } = await broker.client.publish({ url: target.url('/late'), body: 'x', delay: '2s' })
    const pending = await broker.client.messages.get(messageId)
    expect(pending.notBefore).toBeGreaterThanOrEqual(publishedAt + 500)
    const [delivery] = await waitFor(() => target.deliveries.length === 1 && target.deliveries)
    expect(delivery?.at).toBeGreaterThanOrEqual(publishedAt + 500)
  })

  test('Upstash-Not-Before (unix seconds) is never delivered early', async () => {
    const broker = await testBroker({ retryDelayScale: 0.001 })
    const target = startReceiver()
    const notBefore = Math.floor(Date.now() / 1000) + 1
    await broker.client.publish({ url: target.url('/nb'), body: 'x', notBefore })
    const [delivery] = await waitFor(() => target.deliveries.length === 1 && target.deliveries)
    expect(delivery?.at).toBeGreaterThanOrEqual(notBefore * 1000)
  })

  test('messages.get shows a pending message; cancel removes it', async () => {
    const broker = await testBroker()
    const target = startReceiver()
    const { messageId } = await broker.client.publish({
      url: target.url('/m'),
      body: 'pending body',
      delay: 3600,
      retries: 5,
      headers: { 'Content-Type': 'text/plain', 'X-Custom': 'v' },
      callback: target.url('/cb'),
      retryDelay: '1000 * retried',
    })
    const message = await broker.client.messages.get(messageId)
    expect(message).toMatchObject({
      messageId,
      url: target.url('/m'),
      method: 'POST',
      body: 'pending body',
      maxRetries: 5,
      callback: target.url('/cb'),
      retryDelayExpression: '1000 * retried',
    })
    expect(message.callerIp).toBe('127.0.0.1')
    expect(message.header?.['X-Custom']).toEqual(['v'])
    expect(message.header?.['Content-Type']).toEqual(['text/plain'])

    expect(await broker.client.messages.cancel(messageId)).toEqual({ cancelled: 1 })
    const gone = await broker.client.messages.get(messageId).catch((caught: unknown) => caught)
    expect((gone as QstashError).status).toBe(404)
    const again = await broker.client.messages.cancel(messageId).catch((caught: unknown) => caught)
    expect((again as QstashError).status).toBe(404)

    const many = await Promise.all(['a', 'b', 'c'].map((body) => broker.client.publish({ url: target.url('/m'), body, delay: 3600 })))
    expect(await broker.client.messages.cancel(many.slice(0, 2).map((m) => m.messageId))).toEqual({ cancelled: 2 })
    expect(await broker.client.messages.cancel({ all: true })).toEqual({ cancelled: 1 })
    expect(target.deliveries).toHaveLength(0)
  })

  test('Upstash-Timeout cuts a hanging attempt short', async () => {
    const broker = await testBroker()
    const target = startReceiver(() => new Promise<Response>(() => {}))
    const { messageId } = await broker.client.publish({ url: target.url('/hang'), body: 'x', timeout: 1, retries: 0 })
    const { messages } = await waitFor(async () => {
      const page = await broker.client.dlq.listMessages()
      return page.messages.length === 1 && page
    })
    expect(messages[0]?.messageId).toBe(messageId)
    expect((messages[0] as { error?: string }).error).toBe('timeout')
  })
})
