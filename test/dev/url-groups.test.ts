import { afterEach, describe, expect, test } from 'bun:test'
import type { QstashError } from '@upstash/qstash'
import { runCleanups, startReceiver, testBroker, verify, waitFor } from './support.ts'

afterEach(runCleanups)

describe('dev broker: URL groups', () => {
  test('upsert, get, list, fan-out publish, remove endpoints, delete', async () => {
    const broker = await testBroker()
    const a = startReceiver()
    const b = startReceiver()
    const groups = broker.client.urlGroups
    await groups.addEndpoints({ name: 'orders', endpoints: [{ name: 'a', url: a.url('/hook') }, { url: b.url('/hook') }] })
    await groups.addEndpoints({ name: 'orders', endpoints: [{ url: b.url('/hook') }] }) // idempotent

    const group = await groups.get('orders')
    expect(group.name).toBe('orders')
    expect(group.endpoints).toEqual([{ name: 'a', url: a.url('/hook') }, { url: b.url('/hook') }])
    expect(group.createdAt).toBeNumber()
    expect((await groups.list()).map((known) => known.name)).toEqual(['orders'])

    const results = await broker.client.publishJSON({ urlGroup: 'orders', body: { id: 1 } })
    expect(results.map((result) => result.url).sort()).toEqual([a.url('/hook'), b.url('/hook')].sort())
    expect(new Set(results.map((result) => result.messageId)).size).toBe(2)
    await waitFor(() => a.deliveries.length === 1 && b.deliveries.length === 1)
    for (const delivery of [...a.deliveries, ...b.deliveries]) {
      expect(delivery.body).toBe('{"id":1}')
      expect(delivery.headers.get('upstash-topic-name')).toBe('orders')
      expect(await verify(delivery)).toBe(true) // each signed for its own endpoint URL
    }
    const pending = await broker.client.publishJSON({ urlGroup: 'orders', body: { id: 2 }, delay: 3600 })
    const message = await broker.client.messages.get(pending[0]?.messageId ?? '')
    expect(message.urlGroup).toBe('orders')

    await groups.removeEndpoints({ name: 'orders', endpoints: [{ name: 'a' }] })
    expect((await groups.get('orders')).endpoints).toEqual([{ url: b.url('/hook') }])
    const single = await broker.client.publish({ urlGroup: 'orders', body: 'only b' })
    expect(single).toHaveLength(1)
    await waitFor(() => b.deliveries.length === 2)

    await groups.delete('orders')
    expect(await groups.list()).toEqual([])
    const error = await broker.client.publish({ urlGroup: 'orders', body: 'x' }).catch((caught: QstashError) => caught)
    expect((error as QstashError).status).toBe(404)
    expect(a.deliveries).toHaveLength(1)
  })

  test('deduplication covers the whole fan-out', async () => {
    const broker = await testBroker()
    const a = startReceiver()
    const b = startReceiver()
    await broker.client.urlGroups.addEndpoints({ name: 'g', endpoints: [{ url: a.url() }, { url: b.url() }] })
    const first = await broker.client.publish({ urlGroup: 'g', body: 'x', deduplicationId: 'e1', delay: 3600 })
    const again = await broker.client.publish({ urlGroup: 'g', body: 'x', deduplicationId: 'e1', delay: 3600 })
    expect(again.map((result) => result.messageId)).toEqual(first.map((result) => result.messageId))
    expect(again.every((result) => result.deduplicated)).toBe(true)
  })
})
