import { afterEach, describe, expect, test } from 'bun:test'
import type { CallbackEnvelope } from '../../src/dev/callbacks.ts'
import { runCleanups, startReceiver, testBroker, verify, waitFor } from './support.ts'

afterEach(runCleanups)

type Envelope = CallbackEnvelope

const decode = (base64: string) => Buffer.from(base64, 'base64').toString()

describe('dev broker: callbacks', () => {
  test('Upstash-Callback receives the response envelope, signed for the callback URL', async () => {
    const broker = await testBroker()
    const target = startReceiver(() => new Response('{"done":true}', { headers: { 'X-Result': 'r' } }))
    const hooks = startReceiver()
    const { messageId } = await broker.client.publish({
      url: target.url('/work'),
      body: 'job',
      headers: { 'X-Trace': 't1' },
      callback: hooks.url('/callback'),
    })
    const [callback] = await waitFor(() => hooks.deliveries.length === 1 && hooks.deliveries)
    if (!callback) throw new Error('no callback')
    expect(await verify(callback, hooks.url('/callback'))).toBe(true)
    expect(callback.headers.get('content-type')).toBe('application/json')
    const envelope = JSON.parse(callback.body) as Envelope
    expect(envelope).toMatchObject({
      status: 200,
      retried: 0,
      maxRetries: 3,
      sourceMessageId: messageId,
      url: target.url('/work'),
      method: 'POST',
    })
    expect(decode(envelope.body)).toBe('{"done":true}')
    expect(decode(envelope.sourceBody)).toBe('job')
    expect(envelope.header['X-Result']).toEqual(['r'])
    expect(envelope.sourceHeader['X-Trace']).toEqual(['t1'])
    // The callback is a message of its own, not the original one.
    expect(callback.headers.get('upstash-message-id')).not.toBe(messageId)
  })

  test('Upstash-Failure-Callback fires once when the message is dead-lettered; the callback fires per attempt', async () => {
    const broker = await testBroker({ retryDelayScale: 0.0001 })
    const target = startReceiver(() => new Response('nope', { status: 500 }))
    const hooks = startReceiver()
    const { messageId } = await broker.client.publish({
      url: target.url('/work'),
      body: 'job',
      retries: 1,
      callback: hooks.url('/callback'),
      failureCallback: hooks.url('/failure'),
    })
    const failure = await waitFor(() => hooks.deliveries.find((delivery) => delivery.url.endsWith('/failure')))
    expect(await verify(failure)).toBe(true)
    const envelope = JSON.parse(failure.body) as Envelope
    expect(envelope).toMatchObject({ status: 500, retried: 1, maxRetries: 1, sourceMessageId: messageId })
    expect(decode(envelope.body)).toBe('nope')
    const { messages } = await broker.client.dlq.listMessages()
    expect(messages.map((message) => message.dlqId)).toEqual([envelope.dlqId as string])

    const callbacks = await waitFor(() => {
      const found = hooks.deliveries.filter((delivery) => delivery.url.endsWith('/callback'))
      return found.length === 2 && found
    })
    expect(callbacks.map((delivery) => (JSON.parse(delivery.body) as Envelope).retried).sort()).toEqual([0, 1])
    expect(hooks.deliveries.filter((delivery) => delivery.url.endsWith('/failure'))).toHaveLength(1)
  })

  test('Upstash-Callback-Forward-* headers reach the callback', async () => {
    const broker = await testBroker()
    const target = startReceiver()
    const hooks = startReceiver()
    await broker.client.publish({
      url: target.url('/work'),
      body: 'job',
      callback: hooks.url('/callback'),
      headers: { 'Upstash-Callback-Forward-X-Secret': 's3' },
    })
    const [callback] = await waitFor(() => hooks.deliveries.length === 1 && hooks.deliveries)
    expect(callback?.headers.get('x-secret')).toBe('s3')
    expect(target.deliveries[0]?.headers.get('x-secret')).toBeNull()
  })
})
