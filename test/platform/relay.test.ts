import { afterEach, describe, expect, it } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Broker, startBroker } from '../../src/dev/broker.ts'
import type { OutboxMessage } from '../../src/kernel/index.ts'
import type { Publisher } from '../../src/platform/messaging/publisher.ts'
import { DEV_QSTASH, qstashMessaging } from '../../src/platform/messaging/qstash.ts'
import { outboxRelay } from '../../src/platform/outbox/relay.ts'
import type { Database } from '../../src/platform/store/database.ts'
import { sqlJournal } from '../../src/platform/store/journal.ts'
import { tempDatabase } from '../support/database.ts'

// The relay against a real libSQL file and the local broker over real HTTP, through the real
// @upstash/qstash Client. The only stand-in is a publisher wrapper that refuses chosen rows, to
// get a batch where some publishes fail and others succeed (a broker cannot be asked to do that).

const NOW = '2026-11-21T10:00:00.000Z'
let cleanup: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const step of cleanup.reverse()) await step()
  cleanup = []
})

async function setUp() {
  const database = await tempDatabase()
  const brokerDir = mkdtempSync(join(tmpdir(), 'herald-relay-broker-'))
  const broker: Broker = await startBroker({ port: 0, dbUrl: `file:${join(brokerDir, 'qstash.db')}` })
  cleanup.push(
    () => database.dispose(),
    () => rmSync(brokerDir, { recursive: true, force: true }),
    () => broker.stop(),
  )
  const { publisher } = qstashMessaging({ url: broker.url, ...DEV_QSTASH })
  /** Counts the relay's trips to the database (each `write` is one statement or one batch). */
  let writes = 0
  const counted: Database = {
    ...database,
    write: (task) => {
      writes++
      return database.write(task)
    },
  }
  const jobs: OutboxMessage[] = Array.from({ length: 5 }, (_, i) => ({
    id: `job-${i}`,
    kind: 'after-commit',
    topic: 'handler:noteWhenPinged',
    payload: { type: 'Pinged', n: i },
    createdAt: NOW,
  }))
  await database.committer.commit(sqlJournal.enqueue(jobs))
  const rows = async () =>
    (await database.client.execute('SELECT id, status, attempts, message_id, last_error, next_attempt_at, lease_until FROM outbox ORDER BY id')).rows
  return { database: counted, publisher: publisher!, rows, writes: () => writes }
}

describe('outbox relay', () => {
  it('publishes a claimed batch and records every outcome in one write', async () => {
    const { database, publisher, rows, writes } = await setUp()
    const relay = outboxRelay({ database, publisher, publicUrl: 'http://127.0.0.1:9', clock: () => NOW })

    expect(await relay.sweep()).toEqual({ published: 5, failed: 0 })
    // The claim, ONE update for all five rows (it used to be one per row), and the claim that finds nothing more.
    expect(writes()).toBe(3)
    const after = await rows()
    expect(after.map((r) => [r.id, r.status, r.attempts, r.lease_until])).toEqual(after.map((r) => [r.id, 'published', 1, null]))
    expect(new Set(after.map((r) => r.message_id).filter(Boolean)).size).toBe(5)
    expect(await relay.sweep()).toEqual({ published: 0, failed: 0 })
  })

  it('records a mixed batch (some published, some refused) in one write, with backoff and a redacted error', async () => {
    const { database, publisher, rows, writes } = await setUp()
    const refusing: Publisher = {
      publish: (message) =>
        message.deduplicationId === 'job-1' || message.deduplicationId === 'job-3'
          ? Promise.reject(new Error('broker said no (token=abc.def-123)'))
          : publisher.publish(message),
    }
    const relay = outboxRelay({ database, publisher: refusing, publicUrl: 'http://127.0.0.1:9', clock: () => NOW, baseBackoffMs: 1000, maxAttempts: 2 })

    expect(await relay.sweep()).toEqual({ published: 3, failed: 2 })
    expect(writes()).toBe(2) // the claim, then one batch holding the two UPDATEs (a failure ends the sweep)
    const byId = Object.fromEntries((await rows()).map((r) => [r.id, r]))
    for (const id of ['job-0', 'job-2', 'job-4']) expect(byId[id]).toMatchObject({ status: 'published', attempts: 1, last_error: null })
    for (const id of ['job-1', 'job-3']) {
      expect(byId[id]).toMatchObject({
        status: 'pending',
        attempts: 1,
        message_id: null,
        lease_until: null,
        next_attempt_at: '2026-11-21T10:00:01.000Z',
        last_error: 'broker said no (token=***)',
      })
    }

    // Not due yet: nothing to claim, nothing written but the claim.
    expect(await relay.sweep()).toEqual({ published: 0, failed: 0 })
    // Due: the second refusal reaches maxAttempts and the rows become `failed` for an admin to requeue.
    const later = outboxRelay({ database, publisher: refusing, publicUrl: 'http://127.0.0.1:9', clock: () => '2026-11-21T10:00:02.000Z', maxAttempts: 2 })
    expect(await later.sweep()).toEqual({ published: 0, failed: 2 })
    const final = Object.fromEntries((await rows()).map((r) => [r.id, r]))
    expect([final['job-1']!.status, final['job-1']!.attempts, final['job-3']!.status]).toEqual(['failed', 2, 'failed'])
    expect(await later.requeueFailed()).toBe(2)
  })
})
