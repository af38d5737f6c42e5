import { afterEach, describe, expect, test } from 'bun:test'
import type { QstashError } from '@upstash/qstash'
import { gate, onCleanup, runCleanups, startReceiver, testBroker, verify, waitFor } from './support.ts'

afterEach(runCleanups)

describe('dev broker: flow control', () => {
  test('one key with parallelism=1 delivers a burst one at a time; other keys run in parallel', async () => {
    const broker = await testBroker()
    const soloGates = [1, 2, 3, 4, 5].map(() => gate())
    const otherGate = gate()
    // No receiver request may outlive the test.
    for (const held of [...soloGates, otherGate]) onCleanup(held.open)
    const inFlight = new Map<string, number>()
    let maxSolo = 0
    let maxOthers = 0
    const target = startReceiver(async (delivery) => {
      const path = new URL(delivery.url).pathname
      inFlight.set(path, (inFlight.get(path) ?? 0) + 1)
      maxSolo = Math.max(maxSolo, inFlight.get('/solo') ?? 0)
      maxOthers = Math.max(maxOthers, ['/p1', '/p2', '/p3'].filter((other) => (inFlight.get(other) ?? 0) > 0).length)
      if (path === '/solo') await (soloGates[Number(delivery.body) - 1]?.opened ?? Promise.resolve())
      else await otherGate.opened
      inFlight.set(path, (inFlight.get(path) ?? 1) - 1)
      return new Response('ok')
    })

    for (const body of ['1', '2', '3', '4', '5']) {
      await broker.client.publish({ url: target.url('/solo'), body, flowControl: { key: 'solo', parallelism: 1 } })
    }
    // Three other keys, one message each: all three are in flight at once while /solo holds.
    for (const n of [1, 2, 3]) {
      await broker.client.publish({ url: target.url(`/p${n}`), body: 'p', flowControl: { key: `key-${n}`, parallelism: 1 } })
    }
    await waitFor(() => maxOthers === 3, { message: 'three keys in flight together' })

    const solo = () => target.deliveries.filter((delivery) => delivery.url.endsWith('/solo'))
    for (let index = 0; index < 5; index++) {
      await waitFor(() => solo().length === index + 1, { message: `solo delivery ${index + 1}` })
      const info = await broker.client.flowControl.get('solo')
      expect(info).toMatchObject({ flowControlKey: 'solo', parallelismMax: 1, parallelismCount: 1, waitListSize: 4 - index })
      soloGates[index]?.open()
    }
    otherGate.open()
    await waitFor(async () => (await broker.client.flowControl.get('solo')).parallelismCount === 0)
    expect(maxSolo).toBe(1)
    // Acceptance order is kept within the key.
    expect(solo().map((delivery) => delivery.body)).toEqual(['1', '2', '3', '4', '5'])
    for (const delivery of solo()) expect(await verify(delivery)).toBe(true)
    expect(await broker.client.flowControl.getGlobalParallelism()).toMatchObject({ parallelismCount: 0 })
  })

  test('rate and period: at most `rate` attempts start per period', async () => {
    const broker = await testBroker()
    const target = startReceiver()
    // The key's first period starts no earlier than this; the third attempt waits for the next one.
    const before = Date.now()
    for (const body of ['1', '2', '3']) {
      await broker.client.publish({ url: target.url('/rated'), body, flowControl: { key: 'rated', rate: 2, period: 1 } })
    }
    const deliveries = await waitFor(() => target.deliveries.length === 3 && target.deliveries, { timeoutMs: 5000 })
    expect(deliveries[2]?.body).toBe('3') // the first two may arrive in either order
    expect((deliveries[2]?.at ?? 0) - before).toBeGreaterThanOrEqual(1000)
    expect(await broker.client.flowControl.get('rated')).toMatchObject({ rateMax: 2, ratePeriod: 1 })
  })

  test('a paused key holds its messages until resumed, across a restart; messages show the key and its limits', async () => {
    const first = await testBroker()
    const target = startReceiver()
    await first.client.flowControl.pause('held')
    const { messageId } = await first.client.publish({
      url: target.url('/held'),
      body: 'x',
      flowControl: { key: 'held', parallelism: 3, rate: 10, period: '1m' },
    })
    await waitFor(async () => (await first.client.flowControl.get('held')).waitListSize === 1)
    await first.stop()

    const broker = await testBroker({ dbUrl: first.dbUrl })
    await waitFor(async () => (await broker.client.flowControl.get('held')).waitListSize === 1)
    expect(await broker.client.flowControl.get('held')).toMatchObject({ isPaused: true, parallelismMax: 3, rateMax: 10, ratePeriod: 60 })
    expect(await broker.client.messages.get(messageId)).toMatchObject({ flowControlKey: 'held', parallelism: 3, rate: 10, period: 60 })
    expect(target.deliveries).toHaveLength(0)
    await broker.client.flowControl.resume('held')
    await waitFor(() => target.deliveries.length === 1)
    expect((await broker.client.flowControl.get('held')).isPaused).toBe(false)

    const unknown = await broker.client.flowControl.get('never-seen').catch((error: QstashError) => error.status)
    expect(unknown).toBe(404)
  })
})
