import { afterEach, describe, expect, test } from 'bun:test'
import { join } from 'node:path'
import { startBroker } from '../../src/dev/index.ts'
import { gate, onCleanup, runCleanups, sdkClient, startReceiver, tempDbUrl, verify, waitFor } from './support.ts'

afterEach(runCleanups)

const ROOT = join(import.meta.dir, '..', '..')

/** Runs the CLI (`bun run src/dev/main.ts`) as a child process and waits for its URL line. */
async function spawnBroker(dbUrl: string) {
  const child = Bun.spawn([process.execPath, 'run', 'src/dev/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, QSTASH_DEV_PORT: '0', QSTASH_DEV_DB: dbUrl, QSTASH_DEV_DELAY_SCALE: '0.5' },
    stdout: 'pipe',
    stderr: 'inherit',
  })
  onCleanup(() => {
    child.kill('SIGKILL')
    return child.exited
  })
  const reader = child.stdout.getReader()
  let output = ''
  const url = await waitFor(
    async () => {
      const { value, done } = await reader.read()
      if (done) throw new Error(`broker exited: ${output}`)
      output += new TextDecoder().decode(value)
      return /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1]
    },
    { message: 'the broker URL line', timeoutMs: 15_000 },
  )
  reader.releaseLock()
  // Never print signing keys in full.
  expect(output).not.toContain('sig_7kYjw48mhY7kAjqNGcy6cr29RJ6r')
  return {
    url,
    client: sdkClient(url),
    kill9: async () => {
      child.kill('SIGKILL')
      await child.exited
    },
  }
}

describe('dev broker: durability', () => {
  test('an accepted message survives kill -9 and is delivered after the restart', async () => {
    const dbUrl = tempDbUrl()
    const target = startReceiver()
    const first = await spawnBroker(dbUrl)
    const publishedAt = Date.now()
    const { messageId } = await first.client.publish({
      url: target.url('/durable'),
      body: 'survives',
      delay: 2, // × 0.5 scale = 1 s: still pending when the process dies
      deduplicationId: 'durable-1',
    })
    await first.kill9()
    expect(target.deliveries).toHaveLength(0)

    const second = await spawnBroker(dbUrl)
    const again = await second.client.publish({ url: target.url('/durable'), body: 'survives', deduplicationId: 'durable-1' })
    expect(again).toMatchObject({ messageId, deduplicated: true }) // dedup ids are durable too
    const delivery = await waitFor(() => target.deliveries[0])
    expect(delivery.headers.get('upstash-message-id')).toBe(messageId)
    expect(delivery.at).toBeGreaterThanOrEqual(publishedAt + 1000)
    expect(delivery.body).toBe('survives')
    expect(await verify(delivery)).toBe(true)
    expect(target.deliveries).toHaveLength(1)
  })

  test('a message in flight when the process dies is attempted again after the restart', async () => {
    const dbUrl = tempDbUrl()
    const hold = gate()
    onCleanup(hold.open)
    const target = startReceiver(async (_, index) => {
      if (index === 0) await hold.opened // the first attempt never answers: the broker dies meanwhile
      return new Response('ok')
    })
    const first = await spawnBroker(dbUrl)
    const { messageId } = await first.client.publish({ url: target.url('/inflight'), body: 'x' })
    await waitFor(() => target.deliveries.length === 1)
    await first.kill9()

    await spawnBroker(dbUrl)
    const redelivery = await waitFor(() => target.deliveries[1])
    expect(redelivery.headers.get('upstash-message-id')).toBe(messageId)
    expect(redelivery.headers.get('upstash-retried')).toBe('0')
    expect(await verify(redelivery)).toBe(true)
  })

  test('stop() without draining, then a restart on the same file: pending messages, DLQ and URL groups remain', async () => {
    const dbUrl = tempDbUrl()
    const target = startReceiver((delivery) => new Response(null, { status: delivery.url.endsWith('/dead') ? 500 : 200 }))
    const first = await startBroker({ port: 0, dbUrl, retryDelayScale: 0.0001 })
    onCleanup(() => first.stop())
    const client = sdkClient(first.url)
    await client.urlGroups.addEndpoints({ name: 'keep', endpoints: [{ url: target.url('/group') }] })
    await client.publish({ url: target.url('/dead'), body: 'x', retries: 0 })
    await waitFor(async () => (await client.dlq.listMessages()).messages.length === 1)
    const { messageId } = await client.publish({ url: target.url('/later'), body: 'later', delay: 3000 }) // 0.3 s scaled
    await first.stop()

    const second = await startBroker({ port: 0, dbUrl, retryDelayScale: 0.0001 })
    onCleanup(() => second.stop())
    const client2 = sdkClient(second.url)
    expect((await client2.urlGroups.get('keep')).endpoints).toEqual([{ url: target.url('/group') }])
    expect((await client2.dlq.listMessages()).messages).toHaveLength(1)
    await waitFor(() => target.deliveries.some((delivery) => delivery.headers.get('upstash-message-id') === messageId))
  })
})
