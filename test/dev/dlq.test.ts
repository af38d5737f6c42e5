import { afterEach, describe, expect, test } from 'bun:test'
import type { QstashError } from '@upstash/qstash'
import { api, runCleanups, startReceiver, testBroker, verify, waitFor } from './support.ts'

afterEach(runCleanups)

describe('dev broker: dead letter queue', () => {
  test('list, get, retry (then delivered), delete', async () => {
    const broker = await testBroker({ retryDelayScale: 0.0001 })
    let healthy = false
    const target = startReceiver(() => new Response(null, { status: healthy ? 200 : 500 }))
    const first = await broker.client.publish({ url: target.url('/one'), body: 'first', retries: 0 })
    const second = await broker.client.publish({ url: target.url('/two'), body: 'second', retries: 0, label: 'billing' })
    const { messages } = await waitFor(async () => {
      const page = await broker.client.dlq.listMessages()
      return page.messages.length === 2 && page
    })
    const byMessage = Object.fromEntries(messages.map((message) => [message.messageId, message]))
    const dlqFirst = byMessage[first.messageId]
    const dlqSecond = byMessage[second.messageId]
    if (!dlqFirst || !dlqSecond) throw new Error('missing DLQ entries')

    // Filters the SDK sends as query parameters.
    const filtered = await broker.client.dlq.listMessages({ filter: { url: target.url('/two') } })
    expect(filtered.messages.map((message) => message.dlqId)).toEqual([dlqSecond.dlqId])
    const labelled = await broker.client.dlq.listMessages({ filter: { label: 'billing' } })
    expect(labelled.messages.map((message) => message.dlqId)).toEqual([dlqSecond.dlqId])
    const byIds = await broker.client.dlq.listMessages({ dlqIds: [dlqFirst.dlqId] })
    expect(byIds.messages.map((message) => message.messageId)).toEqual([first.messageId])

    const one = await api(broker, `/v2/dlq/${dlqFirst.dlqId}`)
    expect(one.status).toBe(200)
    expect(await one.json()).toMatchObject({ dlqId: dlqFirst.dlqId, messageId: first.messageId, body: 'first', responseStatus: 500 })

    healthy = true
    const retried = await broker.client.dlq.retry(dlqFirst.dlqId)
    expect(retried.responses).toHaveLength(1)
    const newId = retried.responses[0]?.messageId
    expect(newId).toMatch(/^msg_/)
    expect(newId).not.toBe(first.messageId)
    const redelivered = await waitFor(() => target.deliveries.find((delivery) => delivery.headers.get('upstash-message-id') === newId))
    expect(redelivered.body).toBe('first')
    expect(redelivered.headers.get('upstash-retried')).toBe('0')
    expect(await verify(redelivered)).toBe(true)

    expect(await broker.client.dlq.delete(dlqSecond.dlqId)).toEqual({ deleted: 1 })
    expect((await broker.client.dlq.listMessages()).messages).toEqual([])
    expect((await api(broker, `/v2/dlq/${dlqSecond.dlqId}`)).status).toBe(404)
    const missing = await broker.client.dlq.delete(dlqSecond.dlqId).catch((error: QstashError) => error.status)
    expect(missing).toBe(404)
  })

  test('bulk delete and retry with { all: true }, paged by count and cursor', async () => {
    const broker = await testBroker({ retryDelayScale: 0.0001 })
    let healthy = false
    const target = startReceiver(() => new Response(null, { status: healthy ? 200 : 500 }))
    await Promise.all([1, 2, 3, 4, 5].map((n) => broker.client.publish({ url: target.url(`/n${n}`), body: String(n), retries: 0 })))
    await waitFor(async () => (await broker.client.dlq.listMessages()).messages.length === 5)

    const page = await broker.client.dlq.listMessages({ count: 2 })
    expect(page.messages).toHaveLength(2)
    expect(page.cursor).toBeString()
    const next = await broker.client.dlq.listMessages({ count: 2, cursor: page.cursor })
    expect(next.messages.map((m) => m.dlqId)).not.toContain(page.messages[0]?.dlqId)

    healthy = true
    const retried = await broker.client.dlq.retry({ all: true, count: 3 })
    expect(retried.responses).toHaveLength(3)
    expect(retried.cursor).toBeString()
    await waitFor(() => target.deliveries.filter((delivery) => delivery.headers.get('upstash-retried') === '0').length === 8)

    expect(await broker.client.dlq.delete({ all: true })).toEqual({ deleted: 2 })
    expect((await broker.client.dlq.listMessages()).messages).toEqual([])
  })

  test('POST /v2/dlq/retry/{dlqId} re-publishes one entry (curl convenience)', async () => {
    const broker = await testBroker({ retryDelayScale: 0.0001 })
    let healthy = false
    const target = startReceiver(() => new Response(null, { status: healthy ? 200 : 500 }))
    await broker.client.publish({ url: target.url('/x'), body: 'x', retries: 0 })
    const [dead] = await waitFor(async () => {
      const { messages } = await broker.client.dlq.listMessages()
      return messages.length === 1 && messages
    })
    healthy = true
    const response = await api(broker, `/v2/dlq/retry/${dead?.dlqId}`, { method: 'POST' })
    expect(response.status).toBe(200)
    const { messageId } = (await response.json()) as { messageId: string }
    await waitFor(() => target.deliveries.some((delivery) => delivery.headers.get('upstash-message-id') === messageId))
    expect((await api(broker, `/v2/dlq/retry/${dead?.dlqId}`, { method: 'POST' })).status).toBe(404)
  })

  test('an unsupported filter is refused rather than widened to everything', async () => {
    const broker = await testBroker()
    expect((await api(broker, '/v2/dlq?bogus=1', { method: 'DELETE' })).status).toBe(400)
    expect((await api(broker, '/v2/messages?bogus=k', { method: 'DELETE' })).status).toBe(400)
  })
})
