import { afterEach, describe, expect, test } from 'bun:test'
import { runCleanups, startReceiver, testBroker, verify, waitFor } from './support.ts'

afterEach(runCleanups)

describe('dev broker: queues', () => {
  test('enqueue is FIFO: the next message waits until the previous one is delivered (retries included)', async () => {
    const broker = await testBroker({ retryDelayScale: 0.0005 })
    let inFlight = 0
    let maxInFlight = 0
    const target = startReceiver(async (delivery) => {
      inFlight++
      maxInFlight = Math.max(maxInFlight, inFlight)
      await Bun.sleep(2) // keep the request open briefly so overlap would show
      inFlight--
      // The first message fails its first attempt: the queue must hold behind it.
      const failFirst = delivery.body === '1' && delivery.headers.get('upstash-retried') === '0'
      return new Response(null, { status: failFirst ? 500 : 200 })
    })
    const queue = broker.client.queue({ queueName: 'orders' })
    const published = []
    for (const n of [1, 2, 3, 4, 5]) published.push(await queue.enqueue({ url: target.url('/q'), body: String(n) }))
    expect(published.every((result) => result.messageId.startsWith('msg_'))).toBe(true)
    await waitFor(() => target.deliveries.length === 6)
    expect(target.deliveries.map((delivery) => delivery.body)).toEqual(['1', '1', '2', '3', '4', '5'])
    expect(maxInFlight).toBe(1)
    for (const delivery of target.deliveries) expect(await verify(delivery)).toBe(true)
  })

  test('a dead-lettered head releases the queue', async () => {
    const broker = await testBroker({ retryDelayScale: 0.0001 })
    const target = startReceiver((delivery) => new Response(null, { status: delivery.body === 'bad' ? 500 : 200 }))
    const queue = broker.client.queue({ queueName: 'q2' })
    await queue.enqueue({ url: target.url('/q'), body: 'bad', retries: 1 })
    await queue.enqueue({ url: target.url('/q'), body: 'good' })
    await waitFor(() => target.deliveries.some((delivery) => delivery.body === 'good'))
    expect(target.deliveries.map((delivery) => delivery.body)).toEqual(['bad', 'bad', 'good'])
    expect((await broker.client.dlq.listMessages()).messages.map((message) => message.queueName)).toEqual(['q2'])
  })

  test('independent queues do not block each other; the queue API reports them', async () => {
    const broker = await testBroker()
    const target = startReceiver()
    const slow = broker.client.queue({ queueName: 'slow' })
    await slow.upsert({ parallelism: 1 })
    await slow.enqueue({ url: target.url('/slow'), body: 'later', delay: 3600 })
    await broker.client.queue({ queueName: 'fast' }).enqueue({ url: target.url('/fast'), body: 'now' })
    await waitFor(() => target.deliveries.length === 1)
    expect(target.deliveries[0]?.body).toBe('now')
    expect(await slow.get()).toMatchObject({ name: 'slow', parallelism: 1, paused: false, lag: 1 })
    expect((await slow.list()).map((queue) => queue.name).sort()).toEqual(['fast', 'slow'])
    await slow.delete()
    expect((await slow.list()).map((queue) => queue.name)).toEqual(['fast'])
  })

  test('a paused queue holds its messages until resumed', async () => {
    const broker = await testBroker()
    const target = startReceiver()
    const queue = broker.client.queue({ queueName: 'held' })
    await queue.upsert({ parallelism: 1 })
    await queue.pause()
    expect((await queue.get()).paused).toBe(true)
    const { messageId } = await queue.enqueue({ url: target.url('/held'), body: 'x' })
    expect((await queue.get()).lag).toBe(1)
    await queue.resume()
    await waitFor(() => target.deliveries.length === 1)
    expect(target.deliveries[0]?.headers.get('upstash-message-id')).toBe(messageId)
    expect((await queue.get()).lag).toBe(0)
  })
})
