import { afterEach, describe, expect, test } from 'bun:test'
import { createHash } from 'node:crypto'
import { runCleanups, startReceiver, testBroker, waitFor } from './support.ts'

afterEach(runCleanups)

type Broker = Awaited<ReturnType<typeof testBroker>>

/** The states logged for a message, oldest first, once `last` has been logged. */
async function statesOf(broker: Broker, messageId: string, last: string) {
  const { logs } = await waitFor(
    async () => {
      const page = await broker.client.logs({ messageIds: [messageId] })
      return page.logs[0]?.state === last && page
    },
    { message: `${last} logged for ${messageId}` },
  )
  return logs.map((log) => log.state).reverse()
}

const sha = (text: string) => `REDACTED:${createHash('sha256').update(text).digest('hex')}`

describe('dev broker: logs', () => {
  test('each state change is logged: CREATED, ACTIVE, ERROR, RETRY, DELIVERED; FAILED; CANCELED', async () => {
    const broker = await testBroker({ retryDelayScale: 0.0001 })
    const target = startReceiver((delivery, index) => {
      if (delivery.url.endsWith('/flaky') && index === 0) return new Response('not yet', { status: 503 })
      if (delivery.url.endsWith('/dead')) return new Response(null, { status: 500 })
      return new Response('ok')
    })
    const flaky = await broker.client.publish({ url: target.url('/flaky'), body: 'f', label: ['a', 'b'] })
    expect(await statesOf(broker, flaky.messageId, 'DELIVERED')).toEqual(['CREATED', 'ACTIVE', 'ERROR', 'RETRY', 'ACTIVE', 'DELIVERED'])
    const { logs } = await broker.client.logs({ messageIds: [flaky.messageId] })
    const byState = Object.fromEntries(logs.map((log) => [log.state, log]))
    expect(byState.CREATED).toMatchObject({ messageId: flaky.messageId, url: target.url('/flaky'), body: 'f', label: 'a', labels: ['a', 'b'] })
    expect(byState.ERROR?.error).toBe('503: not yet')
    expect(byState.RETRY?.nextDeliveryTime).toBeNumber()

    const dead = await broker.client.publish({ url: target.url('/dead'), body: 'd', retries: 0 })
    expect(await statesOf(broker, dead.messageId, 'FAILED')).toEqual(['CREATED', 'ACTIVE', 'ERROR', 'FAILED'])

    const later = await broker.client.publish({ url: target.url('/later'), body: 'l', delay: 3600 })
    await broker.client.messages.cancel(later.messageId)
    expect(await statesOf(broker, later.messageId, 'CANCELED')).toEqual(['CREATED', 'CANCELED'])

    const failed = await broker.client.logs({ filter: { state: 'FAILED' } })
    expect(failed.logs.map((log) => log.messageId)).toEqual([dead.messageId])
  })

  test('filters (url, urlGroup, queueName, label, dates) and cursor paging, newest first', async () => {
    const broker = await testBroker()
    const target = startReceiver()
    await broker.client.urlGroups.addEndpoints({ name: 'grp', endpoints: [{ url: target.url('/g') }] })
    const queued = await broker.client.queue({ queueName: 'q' }).enqueue({ url: target.url('/q'), body: 'q', delay: 3600 })
    const before = Date.now()
    await waitFor(() => Date.now() > before) // later entries are stamped after `before`
    const [grouped] = await broker.client.publish({ urlGroup: 'grp', body: 'g', delay: 3600, label: 'x' })
    const plain = await broker.client.publish({ url: target.url('/p'), body: 'p', delay: 3600, label: ['y', 'x'] })
    if (!grouped) throw new Error('no group publish')
    const ids = async (filter: NonNullable<Parameters<Broker['client']['logs']>[0]>) => (await broker.client.logs(filter)).logs.map((log) => log.messageId)

    expect(await ids({ filter: { url: target.url('/p') } })).toEqual([plain.messageId])
    expect(await ids({ filter: { urlGroup: 'grp' } })).toEqual([grouped.messageId])
    expect(await ids({ filter: { queueName: 'q' } })).toEqual([queued.messageId])
    expect(await ids({ filter: { label: 'x' } })).toEqual([plain.messageId, grouped.messageId])
    expect(await ids({ filter: { toDate: before } })).toEqual([queued.messageId])
    expect(await ids({ filter: { fromDate: before + 1, state: 'CREATED' } })).toEqual([plain.messageId, grouped.messageId])
    expect(await ids({ filter: { state: 'IN_PROGRESS' } })).toEqual([])

    const walked: string[] = []
    let cursor: string | undefined
    do {
      const page = await broker.client.logs({ count: 2, cursor })
      walked.push(...page.logs.map((log) => log.messageId))
      cursor = page.cursor
    } while (cursor)
    expect(walked).toEqual([plain.messageId, grouped.messageId, queued.messageId])
  })

  test('retention keeps only the newest entries', async () => {
    const broker = await testBroker({ logRetention: 3 })
    const target = startReceiver()
    const published = []
    for (const body of ['1', '2', '3', '4', '5']) published.push(await broker.client.publish({ url: target.url('/r'), body, delay: 3600 }))
    const { logs } = await broker.client.logs()
    expect(logs.map((log) => log.messageId)).toEqual(
      published
        .slice(2)
        .map((result) => result.messageId)
        .reverse(),
    )
  })

  test('Upstash-Redact-Fields hides the body and headers in messages, logs and the DLQ, never in delivery', async () => {
    const broker = await testBroker({ retryDelayScale: 0.0001 })
    let healthy = false
    const target = startReceiver(() => new Response(null, { status: healthy ? 200 : 500 }))
    const { messageId } = await broker.client.publish({
      url: target.url('/secret'),
      body: 'card=4242',
      headers: { Authorization: 'Bearer s3cret', 'X-Visible': 'yes' },
      retries: 0,
      redact: { body: true, header: ['Authorization'] },
    })
    const [dead] = await waitFor(async () => {
      const { messages } = await broker.client.dlq.listMessages()
      return messages.length === 1 && messages
    })
    expect(target.deliveries[0]?.body).toBe('card=4242')
    expect(target.deliveries[0]?.headers.get('authorization')).toBe('Bearer s3cret')
    expect(dead).toMatchObject({ messageId, body: sha('card=4242') })
    expect(dead?.header?.Authorization).toEqual([sha('Bearer s3cret')])
    expect(dead?.header?.['X-Visible']).toEqual(['yes'])

    const created = (await broker.client.logs({ messageIds: [messageId] })).logs.find((log) => log.state === 'CREATED')
    expect(created?.body).toBe(sha('card=4242'))
    expect((created?.header as Record<string, string[]> | undefined)?.Authorization).toEqual([sha('Bearer s3cret')])
    expect(JSON.stringify(await broker.client.logs())).not.toContain('s3cret')

    healthy = true
    const retried = await broker.client.dlq.retry(dead?.dlqId ?? '')
    const again = await waitFor(() => target.deliveries.find((delivery) => delivery.headers.get('upstash-message-id') === retried.responses[0]?.messageId))
    expect(again.body).toBe('card=4242')
    expect(again.headers.get('authorization')).toBe('Bearer s3cret')

    const pending = await broker.client.publish({ url: target.url('/later'), body: 'pin=1', delay: 3600, redact: { header: true }, headers: { 'X-Key': 'k' } })
    const shown = await broker.client.messages.get(pending.messageId)
    expect(shown.body).toBe('pin=1')
    expect(shown.header?.['X-Key']).toEqual([sha('k')])
  })
})
