import { afterEach, describe, expect, test } from 'bun:test'
import type { QstashError } from '@upstash/qstash'
import { ManualClock, runCleanups, startReceiver, testBroker, verify, waitFor } from './support.ts'

afterEach(runCleanups)

const MINUTE = 60_000
/** 30 s before a whole minute: `* * * * *` first fires 30 s after the start. */
const START = Date.parse('2026-03-02T08:59:30Z')

describe('dev broker: schedules', () => {
  test('create (URL, headers, retries, callback, delay, label), get, list, pause, resume, delete', async () => {
    const clock = new ManualClock(START)
    const broker = await testBroker({ clock })
    const target = startReceiver()
    const { scheduleId } = await broker.client.schedules.create({
      destination: target.url('/tick?x=1'),
      cron: 'CRON_TZ=Europe/Berlin 0 10 * * MON-FRI',
      body: '{"job":"report"}',
      headers: { 'X-Tenant': 'acme' },
      retries: 2,
      retryDelay: '1000',
      callback: target.url('/cb'),
      delay: 30,
      label: ['reports', 'daily'],
    })
    expect(scheduleId).toMatch(/^scd_/)
    const schedule = await broker.client.schedules.get(scheduleId)
    expect(schedule).toMatchObject({
      scheduleId,
      cron: 'CRON_TZ=Europe/Berlin 0 10 * * MON-FRI',
      destination: target.url('/tick?x=1'),
      method: 'POST',
      body: '{"job":"report"}',
      retries: 2,
      retryDelayExpression: '1000',
      callback: target.url('/cb'),
      delay: 30,
      isPaused: false,
      label: 'reports',
      labels: ['reports', 'daily'],
      createdAt: START,
      // 10:00 in Berlin (CET, UTC+1) on Monday 2 March 2026.
      nextScheduleTime: Date.parse('2026-03-02T09:00:00Z'),
    })
    expect(schedule.header?.['X-Tenant']).toEqual(['acme'])
    expect((await broker.client.schedules.list()).map((known) => known.scheduleId)).toEqual([scheduleId])

    await broker.client.schedules.pause({ schedule: scheduleId })
    expect((await broker.client.schedules.get(scheduleId)).isPaused).toBe(true)
    await broker.client.schedules.resume({ schedule: scheduleId })
    expect((await broker.client.schedules.get(scheduleId)).isPaused).toBe(false)

    // Same id again: replaced in place, creation time kept.
    clock.advance(1000)
    await broker.client.schedules.create({ scheduleId, destination: target.url('/other'), cron: '*/5 * * * *' })
    expect(await broker.client.schedules.get(scheduleId)).toMatchObject({ destination: target.url('/other'), cron: '*/5 * * * *', createdAt: START })

    await broker.client.schedules.delete(scheduleId)
    expect(await broker.client.schedules.get(scheduleId).catch((error: QstashError) => error.status)).toBe(404)
    const bad = await broker.client.schedules.create({ destination: target.url('/x'), cron: '61 * * * *' }).catch((error: QstashError) => error)
    expect((bad as QstashError).status).toBe(400)
    expect((bad as QstashError).message).toContain('minute')
  })

  test('each firing publishes a signed message carrying Upstash-Schedule-Id (URL, URL group, queue); a paused one does not fire', async () => {
    const clock = new ManualClock(START)
    const broker = await testBroker({ clock })
    const target = startReceiver()
    await broker.client.urlGroups.addEndpoints({ name: 'fan', endpoints: [{ url: target.url('/g1') }, { url: target.url('/g2') }] })
    const toUrl = await broker.client.schedules.create({ destination: target.url('/u'), cron: '* * * * *', body: 'u', headers: { 'X-A': '1' } })
    const toGroup = await broker.client.schedules.create({ destination: 'fan', cron: '* * * * *', body: 'g' })
    const toQueue = await broker.client.schedules.create({ destination: target.url('/q'), cron: '* * * * *', body: 'q', queueName: 'nightly' })
    const paused = await broker.client.schedules.create({ destination: target.url('/paused'), cron: '* * * * *' })
    await broker.client.schedules.pause({ schedule: paused.scheduleId })

    clock.advance(30_000) // to 09:00:00: every schedule's first slot
    await waitFor(() => target.deliveries.length === 4, { message: 'four deliveries' })
    const byPath = Object.fromEntries(target.deliveries.map((delivery) => [new URL(delivery.url).pathname, delivery]))
    expect(byPath['/u']?.headers.get('upstash-schedule-id')).toBe(toUrl.scheduleId)
    expect(byPath['/u']?.headers.get('x-a')).toBe('1')
    expect(byPath['/u']?.body).toBe('u')
    expect(byPath['/g1']?.headers.get('upstash-schedule-id')).toBe(toGroup.scheduleId)
    expect(byPath['/g2']?.headers.get('upstash-schedule-id')).toBe(toGroup.scheduleId)
    expect(byPath['/q']?.headers.get('upstash-schedule-id')).toBe(toQueue.scheduleId)
    for (const delivery of target.deliveries) expect(await verify(delivery)).toBe(true)
    // The paused schedule's timer is not armed; its messages would have been committed with the others.
    const fromPaused = await broker.client.logs({ filter: { scheduleId: paused.scheduleId } })
    expect(fromPaused.logs).toEqual([])
    expect((await broker.client.queue({ queueName: 'nightly' }).get()).name).toBe('nightly')
    const fired = await broker.client.schedules.get(toUrl.scheduleId)
    expect(fired).toMatchObject({ lastScheduleTime: START + 30_000, nextScheduleTime: START + 30_000 + MINUTE })

    clock.advance(MINUTE)
    await waitFor(() => target.deliveries.length === 8, { message: 'the second run' })
  })

  test('a restart neither repeats a run nor fires missed runs more than once', async () => {
    const clock = new ManualClock(START)
    const first = await testBroker({ clock })
    const target = startReceiver()
    const { scheduleId } = await first.client.schedules.create({ destination: target.url('/s'), cron: '* * * * *', body: 's' })
    // Stopping cuts in-flight attempts short (they are retried after a restart): wait until the
    // delivery is recorded, so every delivery below is a run of its own.
    const delivered = (broker: typeof first, count: number) =>
      waitFor(async () => (await broker.client.logs({ filter: { scheduleId, state: 'DELIVERED' } })).logs.length === count)
    clock.advance(30_000)
    await delivered(first, 1)
    await first.stop()

    // Same time, same file: run 09:00 is recorded as done.
    const second = await testBroker({ clock, dbUrl: first.dbUrl })
    clock.advance(MINUTE) // 09:01
    await delivered(second, 2)
    await second.stop()

    // Down for five minutes: the missed runs fire once, at start.
    clock.advance(5 * MINUTE) // 09:06
    const third = await testBroker({ clock, dbUrl: first.dbUrl })
    await delivered(third, 3)
    const created = await waitFor(async () => {
      const { logs } = await third.client.logs({ filter: { scheduleId, state: 'CREATED' } })
      return logs.length === 3 && logs
    })
    expect(created.map((log) => log.time).reverse()).toEqual([START + 30_000, START + 30_000 + MINUTE, START + 30_000 + 6 * MINUTE])
    expect(new Set(target.deliveries.map((delivery) => delivery.headers.get('upstash-message-id'))).size).toBe(3)
    expect((await third.client.schedules.get(scheduleId)).nextScheduleTime).toBe(START + 30_000 + 7 * MINUTE)
  })

  test('messages a schedule published show its id, and bulk cancel and the DLQ filter by it', async () => {
    const clock = new ManualClock(START)
    const broker = await testBroker({ clock })
    const target = startReceiver(() => new Response(null, { status: 500 }))
    const later = await broker.client.schedules.create({ destination: target.url('/later'), cron: '* * * * *', delay: 3600 })
    const failing = await broker.client.schedules.create({ destination: target.url('/fail'), cron: '* * * * *', retries: 0 })
    clock.advance(30_000)
    const [dead] = await waitFor(async () => {
      const { messages } = await broker.client.dlq.listMessages({ filter: { scheduleId: failing.scheduleId } })
      return messages.length === 1 && messages
    })
    expect(dead?.scheduleId).toBe(failing.scheduleId)
    expect((await broker.client.dlq.listMessages({ filter: { scheduleId: later.scheduleId } })).messages).toEqual([])

    const [pending] = (await broker.client.logs({ filter: { scheduleId: later.scheduleId } })).logs
    expect(await broker.client.messages.get(pending?.messageId ?? '')).toMatchObject({ scheduleId: later.scheduleId })
    expect(await broker.client.messages.cancel({ filter: { scheduleId: later.scheduleId } })).toEqual({ cancelled: 1 })
  })
})
