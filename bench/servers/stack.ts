import { Client, Receiver } from '@upstash/qstash'
import { Hono } from 'hono'
import * as schema from '../harness/schema.ts'
import { StartOrderBody } from '../../routes/ordering/orders.schemas.ts'
import { startBroker } from '../../src/dev/broker.ts'
import type { Committer, Statement } from '../../src/kernel/index.ts'
import { createReferenceHerald as createHerald } from '../../src/service/app.ts'
import { DEV_QSTASH, qstashMessaging } from '../../src/platform/messaging/qstash.ts'
import { syncUrlGroups } from '../../src/platform/messaging/subscriptions.ts'
import { openDatabase } from '../../src/platform/store/database.ts'
import { migrateReferenceDatabase as migrateDatabase } from '../../src/service/app.ts'
import { applyExperiments, verifierFor } from '../experiments/index.ts'
import type { ServerSpec } from '../harness/process.ts'
import { epochMs } from '../harness/stats.ts'
import { commitBareOrder, openBareDatabase } from './bare.ts'
import type { ServerUnderTest } from './server.ts'

/**
 * Per buyer id (one fresh buyer per order): when the order's command committed and when the
 * notifications subscriber's handling of its BuyerRegistered committed, in epoch ms
 * (`performance.timeOrigin + performance.now()`, comparable with the load generator's clock).
 */
export interface Marks {
  readonly committed: Record<string, number>
  readonly handled: Record<string, number>
  /** Herald only: where the time between the two goes (relay claim+publish, broker, delivery). */
  readonly steps?: Record<string, { publishStart?: number; publishEnd?: number; arrived?: number }>
}

/**
 * Records commit instants by looking at what each batch wrote: the order row (args[1] is the
 * buyer id) marks the command, the welcome mail row (args[1] is the buyer id) marks the
 * subscriber's handler. The wrapper sits outside the real committer, so a mark is taken only
 * after the batch is durable.
 */
function markingCommitter(inner: Committer, marks: Marks): Committer {
  return {
    async commit(statements: readonly Statement[]) {
      await inner.commit(statements)
      const at = epochMs()
      for (const s of statements) {
        if (s.sql.startsWith('INSERT INTO ordering_orders')) marks.committed[String(s.args[1])] = at
        else if (s.sql.includes('INSERT INTO notifications_mailbox') && s.args[3] === 'welcome') marks.handled[String(s.args[1])] = at
      }
    },
  }
}

/**
 * Herald as `npm run dev` runs it: the local QStash-compatible broker in the same process with
 * its own libSQL file, the real @upstash/qstash Client and Receiver, immediate relay, URL groups
 * synced. Default grace period (60 s), so the only delivery an order causes within the run is
 * BuyerRegistered → notifications (the grace-period job is published with a 60 s not-before).
 */
export async function heraldStackServer(spec: Extract<ServerSpec, { kind: 'herald-stack' }>, publicUrl: string): Promise<ServerUnderTest> {
  const broker = await startBroker({ port: 0, dbUrl: `file:${spec.brokerDbPath}` })
  const opened = openDatabase({ url: `file:${spec.dbPath}` })
  await migrateDatabase(opened)
  const database = applyExperiments(opened, spec.experiments ?? [], spec.dbPath)
  const marks: Marks & { steps: NonNullable<Marks['steps']> } = { committed: {}, handled: {}, steps: {} }
  const step = (buyerId: string) => (marks.steps[buyerId] ??= {})
  const base = qstashMessaging({ url: broker.url, ...DEV_QSTASH }, { relayMode: 'immediate' })
  const buyerOf = (body: string): string | undefined => {
    try {
      const event = JSON.parse(body) as { type?: string; data?: { buyerId?: string } }
      return event.type?.includes('BuyerRegistered') ? event.data?.buyerId : undefined
    } catch {
      return undefined
    }
  }
  const messaging = {
    ...base,
    verifier: verifierFor(spec.experiments ?? []),
    // Stamps the relay's publish of each BuyerRegistered: called (after the claim) and acknowledged by the broker.
    publisher: {
      async publish(message: Parameters<NonNullable<typeof base.publisher>['publish']>[0]) {
        const buyerId = buyerOf(message.body)
        if (buyerId) step(buyerId).publishStart = epochMs()
        const id = await base.publisher!.publish(message)
        if (buyerId) step(buyerId).publishEnd = epochMs()
        return id
      },
    },
  }
  const herald = createHerald({
    database: { ...database, committer: markingCommitter(database.committer, marks) },
    config: { publicUrl, adminToken: 'bench-admin-token' },
    messaging,
  })
  await herald.seed()
  await syncUrlGroups(messaging.qstash, herald.urlGroupPlan(), publicUrl)
  return {
    async fetch(request) {
      if (request.method === 'POST' && new URL(request.url).pathname === '/subscribers/notifications') {
        const at = epochMs()
        const buyerId = buyerOf(await request.clone().text())
        if (buyerId) step(buyerId).arrived = at
      }
      return herald.app.fetch(request)
    },
    control: (path) => (path === 'marks' ? marks : undefined),
    async close() {
      await broker.stop()
      database.close()
    },
  }
}

/**
 * The same journey without Herald: the route commits the order and buyer rows, then publishes
 * BuyerRegistered straight to the same local broker (fire-and-forget after the commit, no
 * outbox), and a bare webhook verifies the signature with the same Receiver and inserts the
 * welcome row.
 */
export async function bareStackServer(spec: Extract<ServerSpec, { kind: 'bare-stack' }>, publicUrl: string): Promise<ServerUnderTest> {
  const broker = await startBroker({ port: 0, dbUrl: `file:${spec.brokerDbPath}` })
  const { client, db } = await openBareDatabase(spec.dbPath)
  const qstash = new Client({ baseUrl: broker.url, token: DEV_QSTASH.token })
  const receiver = new Receiver({ currentSigningKey: DEV_QSTASH.currentSigningKey, nextSigningKey: DEV_QSTASH.nextSigningKey })
  const marks: Marks = { committed: {}, handled: {} }
  const hook = `${publicUrl}/hooks/buyer-registered`
  const app = new Hono()
  app.post('/orders', async (c) => {
    const parsed = StartOrderBody.safeParse(await c.req.json())
    if (!parsed.success) return c.json({ error: parsed.error.issues }, 400)
    const orderId = await commitBareOrder(db, parsed.data)
    marks.committed[parsed.data.buyer.id] = epochMs()
    const { id: buyerId, name, email } = parsed.data.buyer
    void qstash.publishJSON({ url: hook, body: { buyerId, name, email } }).catch((error) => console.error('[bare] publish failed', error))
    return c.json({ orderId, status: 'submitted' }, 201)
  })
  app.post('/hooks/buyer-registered', async (c) => {
    const body = await c.req.text()
    try {
      await receiver.verify({ signature: c.req.header('Upstash-Signature') ?? '', body, url: hook })
    } catch {
      return c.json({ error: 'bad signature' }, 401)
    }
    const event = JSON.parse(body) as { buyerId: string; name: string; email: string }
    await db.insert(schema.mailbox).values({
      id: crypto.randomUUID(),
      buyerId: event.buyerId,
      recipient: event.email,
      kind: 'welcome',
      subject: `Welcome, ${event.name}`,
      body: 'Thanks for your first order.',
      eventId: c.req.header('Upstash-Message-Id') ?? '',
      createdAt: new Date().toISOString(),
    })
    marks.handled[event.buyerId] = epochMs()
    return c.json({ status: 'processed' }, 200)
  })
  return {
    fetch: app.fetch,
    control: (path) => (path === 'marks' ? marks : undefined),
    async close() {
      await broker.stop()
      client.close()
    },
  }
}
