import { afterEach, describe, expect, test } from 'bun:test'
import { runCleanups, startReceiver, testBroker, verify, waitFor } from './support.ts'

afterEach(runCleanups)

async function dlqMessages(broker: Awaited<ReturnType<typeof testBroker>>, count: number) {
  return waitFor(
    async () => {
      const { messages } = await broker.client.dlq.listMessages()
      return messages.length === count && messages
    },
    { message: `${count} DLQ message(s)` },
  )
}

const retriedHeaders = (deliveries: { headers: Headers }[]) => deliveries.map((delivery) => delivery.headers.get('upstash-retried'))

describe('dev broker: retries', () => {
  test('a destination that always fails gets exactly 1 + retries attempts, then the DLQ', async () => {
    const broker = await testBroker({ retryDelayScale: 0.0001 })
    const target = startReceiver(() => new Response('boom', { status: 500, headers: { 'X-Why': 'broken' } }))
    const { messageId } = await broker.client.publish({ url: target.url('/fail'), body: 'payload', retries: 3 })
    const [dead] = await dlqMessages(broker, 1)
    expect(target.deliveries).toHaveLength(4)
    expect(retriedHeaders(target.deliveries)).toEqual(['0', '1', '2', '3'])
    for (const delivery of target.deliveries) {
      expect(delivery.headers.get('upstash-message-id')).toBe(messageId)
      expect(await verify(delivery)).toBe(true)
    }
    expect(dead).toMatchObject({
      messageId,
      url: target.url('/fail'),
      body: 'payload',
      maxRetries: 3,
      responseStatus: 500,
      responseBody: 'boom',
    })
    expect(dead?.responseHeader?.['X-Why']).toEqual(['broken'])
    expect(dead?.dlqId).toBeString()
    // Gone from the pending messages.
    expect(await broker.client.messages.get(messageId).catch((error: { status: number }) => error.status)).toBe(404)
  })

  test('the default is 3 retries', async () => {
    const broker = await testBroker({ retryDelayScale: 0.0001 })
    const target = startReceiver(() => new Response(null, { status: 503 }))
    await broker.client.publish({ url: target.url('/default'), body: 'x' })
    await dlqMessages(broker, 1)
    expect(target.deliveries).toHaveLength(4)
  })

  test('default backoff: Upstash-Retried counts up and the gaps follow e^(2.5·n) seconds, scaled', async () => {
    const scale = 0.002 // e^2.5 ≈ 12.2 s → 24 ms, e^5 ≈ 148 s → 297 ms
    const broker = await testBroker({ retryDelayScale: scale })
    const target = startReceiver(() => new Response(null, { status: 500 }))
    await broker.client.publish({ url: target.url('/backoff'), body: 'x', retries: 2 })
    await dlqMessages(broker, 1)
    expect(retriedHeaders(target.deliveries)).toEqual(['0', '1', '2'])
    const [a, b, c] = target.deliveries.map((delivery) => delivery.at) as [number, number, number]
    const slack = 2 // timer and clock granularity
    expect(b - a).toBeGreaterThanOrEqual(Math.exp(2.5) * 1000 * scale - slack)
    expect(c - b).toBeGreaterThanOrEqual(Math.exp(5) * 1000 * scale - slack)
    expect(c - b).toBeGreaterThanOrEqual(b - a)
  })

  test('Upstash-Retry-Delay is evaluated over `retried` (0 for the first retry)', async () => {
    const broker = await testBroker()
    const target = startReceiver(() => new Response(null, { status: 500 }))
    await broker.client.publish({ url: target.url('/custom'), body: 'x', retries: 2, retryDelay: '100 * (1 + retried)' })
    await dlqMessages(broker, 1)
    const [a, b, c] = target.deliveries.map((delivery) => delivery.at) as [number, number, number]
    expect(b - a).toBeGreaterThanOrEqual(98)
    expect(c - b).toBeGreaterThanOrEqual(198)
  })

  test('489 with Upstash-NonRetryable-Error: true goes to the DLQ after one attempt', async () => {
    const broker = await testBroker({ retryDelayScale: 0.0001 })
    const target = startReceiver(() => new Response('invalid event', { status: 489, headers: { 'Upstash-NonRetryable-Error': 'true' } }))
    await broker.client.publish({ url: target.url('/reject'), body: 'x', retries: 5 })
    const [dead] = await dlqMessages(broker, 1)
    expect(target.deliveries).toHaveLength(1)
    expect(dead?.responseStatus).toBe(489)
    expect(dead?.responseBody).toBe('invalid event')
  })

  test('489 without the header is an ordinary failure and is retried', async () => {
    const broker = await testBroker({ retryDelayScale: 0.0001 })
    const target = startReceiver(() => new Response(null, { status: 489 }))
    await broker.client.publish({ url: target.url('/plain489'), body: 'x', retries: 1 })
    await dlqMessages(broker, 1)
    expect(target.deliveries).toHaveLength(2)
  })

  test('a refused connection is retried, then dead-lettered with the error', async () => {
    const broker = await testBroker({ retryDelayScale: 0.0001 })
    const closed = startReceiver()
    const url = closed.url('/gone')
    closed.stop()
    await broker.client.publish({ url, body: 'x', retries: 1 })
    const [dead] = await dlqMessages(broker, 1)
    expect(dead?.responseStatus).toBeUndefined()
    expect((dead as { error?: string }).error).toBeString()
  })

  test('a failure followed by success is delivered, not dead-lettered', async () => {
    const broker = await testBroker({ retryDelayScale: 0.0001 })
    const target = startReceiver((_, index) => new Response(null, { status: index < 2 ? 500 : 204 }))
    const { messageId } = await broker.client.publish({ url: target.url('/flaky'), body: 'x' })
    await waitFor(() => target.deliveries.length === 3)
    await waitFor(async () => (await broker.client.messages.get(messageId).catch(() => 'gone')) === 'gone')
    expect((await broker.client.dlq.listMessages()).messages).toEqual([])
    expect(retriedHeaders(target.deliveries)).toEqual(['0', '1', '2'])
  })
})
