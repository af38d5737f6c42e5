import { afterEach, describe, expect, test } from 'bun:test'
import { runCleanups, startReceiver, testBroker, waitFor } from './support.ts'

afterEach(runCleanups)

describe('dev broker: labels and bulk cancel', () => {
  test('a message with several labels reports the first as `label` and all as `labels`, in the DLQ too', async () => {
    const broker = await testBroker({ retryDelayScale: 0.0001 })
    const target = startReceiver(() => new Response(null, { status: 500 }))
    const pending = await broker.client.publish({ url: target.url('/p'), body: 'p', delay: 3600, label: ['a', 'b'] })
    expect(await broker.client.messages.get(pending.messageId)).toMatchObject({ label: 'a', labels: ['a', 'b'] })

    const dead = await broker.client.publish({ url: target.url('/d'), body: 'd', retries: 0, label: ['a', 'b'] })
    const [entry] = await waitFor(async () => {
      const { messages } = await broker.client.dlq.listMessages()
      return messages.length === 1 && messages
    })
    expect(entry).toMatchObject({ messageId: dead.messageId, label: 'a', labels: ['a', 'b'] })
  })

  test('DLQ list, delete and retry by label match a message with several labels', async () => {
    const broker = await testBroker({ retryDelayScale: 0.0001 })
    let healthy = false
    const target = startReceiver(() => new Response(null, { status: healthy ? 200 : 500 }))
    const multi = await broker.client.publish({ url: target.url('/m'), body: 'm', retries: 0, label: ['billing', 'eu'] })
    const other = await broker.client.publish({ url: target.url('/o'), body: 'o', retries: 0, label: 'shipping' })
    await broker.client.publish({ url: target.url('/x'), body: 'x', retries: 0, label: 'billing-eu' })
    await waitFor(async () => (await broker.client.dlq.listMessages()).messages.length === 3)

    const byEu = await broker.client.dlq.listMessages({ filter: { label: 'eu' } })
    expect(byEu.messages.map((message) => message.messageId)).toEqual([multi.messageId])
    const byAny = await broker.client.dlq.listMessages({ filter: { label: ['billing', 'shipping'] } })
    expect(byAny.messages.map((message) => message.messageId).sort()).toEqual([multi.messageId, other.messageId].sort())

    healthy = true
    const retried = await broker.client.dlq.retry({ filter: { label: 'billing' } })
    expect(retried.responses).toHaveLength(1)
    // The failed first attempt, then the retried copy.
    await waitFor(() => target.deliveries.filter((delivery) => delivery.url.endsWith('/m')).length === 2)
    expect(await broker.client.dlq.delete({ filter: { label: 'shipping' } })).toEqual({ deleted: 1 })
    expect((await broker.client.dlq.listMessages()).messages.map((message) => message.label)).toEqual(['billing-eu'])
  })

  test('bulk cancel with a filter honours count (oldest first)', async () => {
    const broker = await testBroker()
    const target = startReceiver()
    const published = []
    for (const body of ['1', '2', '3']) {
      published.push(await broker.client.publish({ url: target.url('/c'), body, delay: 3600, label: 'bulk' }))
    }
    expect(await broker.client.messages.cancel({ filter: { label: 'bulk' }, count: 1 })).toEqual({ cancelled: 1 })
    const left = await Promise.all(
      published.map((result) =>
        broker.client.messages.get(result.messageId).then(
          () => true,
          () => false,
        ),
      ),
    )
    expect(left).toEqual([false, true, true])
    expect(await broker.client.messages.cancel({ all: true, count: 1 })).toEqual({ cancelled: 1 })
    expect(await broker.client.messages.cancel({ filter: { label: 'bulk' } })).toEqual({ cancelled: 1 })
    expect(target.deliveries).toHaveLength(0)
  })
})
