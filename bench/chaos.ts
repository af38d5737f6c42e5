import { createClient } from '@libsql/client'
import { type Subprocess, spawn } from 'bun'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DEV_QSTASH } from '../src/platform/messaging/qstash.ts'
import { orderBody } from '../test/support/herald.ts'
import { freePort } from '../test/support/ports.ts'
import { waitFor } from '../test/support/wait-for.ts'

// Fault injection against real processes: the service (src/service/bun.ts) and the local broker
// (src/dev/main.ts) run as child processes on loopback and are killed with SIGKILL; a proxy
// between broker and service fails, delays and "loses" responses of deliveries at random.

export interface ChaosOptions {
  readonly orders: number
  readonly kills: number
  readonly brokerOutages: number
  readonly concurrency: number
  /** Share of deliveries the proxy fails or slows (0 = no subscriber faults). */
  readonly faultRate: number
  readonly seed: number
  readonly log?: (line: string) => void
}

export interface ChaosFigures {
  readonly kills: number
  readonly brokerOutages: number
  readonly orders: number
  readonly lost: number
  readonly duplicatedEffects: number
  readonly phantomEvents: number
  readonly unfinished: number
  readonly injectedFaults: number
  readonly deadLettersReplayed: number
  readonly problems: readonly string[]
}

const root = join(import.meta.dir, '..')

/** A small deterministic PRNG so a failing run can be repeated with its seed. */
function random(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export async function runChaos(options: ChaosOptions): Promise<ChaosFigures> {
  const log = options.log ?? (() => {})
  const rand = random(options.seed)
  const dir = mkdtempSync(join(tmpdir(), 'herald-chaos-'))
  const [servicePort, brokerPort] = [await freePort(), await freePort()]
  const serviceUrl = `http://127.0.0.1:${servicePort}`
  const brokerUrl = `http://127.0.0.1:${brokerPort}`

  // The fault proxy is what QStash calls: PUBLIC_URL points here, so signatures name its URL.
  let injectedFaults = 0
  const proxy = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    async fetch(request) {
      const url = new URL(request.url)
      const body = await request.arrayBuffer()
      const roll = rand()
      const isDelivery = url.pathname.startsWith('/subscribers/') || url.pathname.startsWith('/internal/')
      if (isDelivery && roll < options.faultRate * 0.4) {
        injectedFaults++
        return new Response('injected failure', { status: 503 })
      }
      if (isDelivery && roll < options.faultRate * 0.55) await Bun.sleep(50 + rand() * 200)
      else if (isDelivery && roll < options.faultRate * 0.7) {
        injectedFaults++ // slower than the delivery timeout: the broker gives up and retries
        await Bun.sleep(1_300)
      }
      const upstream = await fetch(`${serviceUrl}${url.pathname}${url.search}`, {
        method: request.method,
        headers: request.headers,
        body: body.byteLength ? body : undefined,
      }).catch(() => new Response('service down', { status: 502 }))
      if (isDelivery && roll >= options.faultRate * 0.7 && roll < options.faultRate) {
        injectedFaults++ // processed, but the broker is told it failed: it will redeliver
        return new Response('response lost', { status: 500 })
      }
      return new Response(await upstream.arrayBuffer(), { status: upstream.status, headers: upstream.headers })
    },
  })
  const publicUrl = `http://127.0.0.1:${proxy.port}`

  const brokerEnv = { ...process.env, QSTASH_DEV_PORT: String(brokerPort), QSTASH_DEV_DB: `file:${join(dir, 'qstash.db')}`, QSTASH_DEV_DELAY_SCALE: '0.001' }
  const serviceEnv = {
    ...process.env,
    NODE_ENV: 'development',
    PORT: String(servicePort),
    PUBLIC_URL: publicUrl,
    DATABASE_URL: `file:${join(dir, 'herald.db')}`,
    GRACE_PERIOD_MS: '0',
    OUTBOX_SWEEP_MS: '200',
    DELIVERY_TIMEOUT_SECONDS: '1',
    ADMIN_TOKEN: 'chaos-admin',
    QSTASH_URL: brokerUrl,
    QSTASH_TOKEN: DEV_QSTASH.token,
    QSTASH_CURRENT_SIGNING_KEY: DEV_QSTASH.currentSigningKey,
    QSTASH_NEXT_SIGNING_KEY: DEV_QSTASH.nextSigningKey,
  }
  const start = (script: string, env: Record<string, string | undefined>) =>
    spawn([process.execPath, 'run', script], { cwd: root, env, stdout: 'ignore', stderr: 'ignore' })
  const healthy = (url: string) =>
    waitFor(
      () =>
        fetch(url)
          .then((r) => r.status < 500)
          .catch(() => false),
      { timeoutMs: 20_000, what: url },
    )

  let broker: Subprocess = start('src/dev/main.ts', brokerEnv)
  await healthy(`${brokerUrl}/v2/keys`)
  let service: Subprocess = start('src/service/bun.ts', serviceEnv)
  await healthy(`${serviceUrl}/health`)

  // Every order is sent with an Idempotency-Key and retried until it gets its 201, as a
  // well-behaved client would when the service dies under it.
  const acknowledged = new Map<string, string>() // key → orderId
  let next = 0
  const body = (i: number) => {
    const variant = i % 10
    if (variant === 7) return orderBody({ card: { ...orderBody().card, number: '4111111111110000' } })
    if (variant === 9) return orderBody({ items: [{ productId: 'limited-print', productName: 'Print', unitPrice: 250, units: 1 }] })
    return orderBody({ buyer: { id: `buyer-${i % 13}`, name: `Buyer ${i % 13}`, email: `b${i % 13}@example.com` } })
  }
  async function client(): Promise<void> {
    for (let i = next++; i < options.orders; i = next++) {
      const key = `chaos-${options.seed}-${i}`
      for (;;) {
        const response = await fetch(`${serviceUrl}/orders`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'Idempotency-Key': key },
          body: JSON.stringify(body(i)),
        }).catch(() => undefined)
        if (response?.status === 201) {
          acknowledged.set(key, ((await response.json()) as { orderId: string }).orderId)
          break
        }
        await Bun.sleep(20)
      }
    }
  }

  /** Faults spread evenly over the run (in a seeded order), each after its share of orders. */
  async function chaosMonkey(): Promise<{ kills: number; outages: number }> {
    const plan = [...Array(options.kills).fill('kill'), ...Array(options.brokerOutages).fill('outage')] as ('kill' | 'outage')[]
    plan.sort(() => rand() - 0.5)
    let kills = 0
    let outages = 0
    for (const [index, fault] of plan.entries()) {
      const due = Math.floor(((index + 1) * options.orders) / (plan.length + 1))
      await waitFor(() => acknowledged.size >= due, { timeoutMs: 120_000, intervalMs: 5, what: `${due} orders before fault ${index + 1}` })
      if (fault === 'outage') {
        broker.kill(9)
        await broker.exited
        outages++
        log(`broker outage ${outages} after ${acknowledged.size} orders`)
        await Bun.sleep(300 + rand() * 700) // the outage itself: commands keep committing meanwhile
        broker = start('src/dev/main.ts', brokerEnv)
        await healthy(`${brokerUrl}/v2/keys`)
      } else {
        service.kill(9)
        await service.exited
        kills++
        log(`kill -9 ${kills} after ${acknowledged.size} orders`)
        service = start('src/service/bun.ts', serviceEnv)
        await healthy(`${serviceUrl}/health`)
      }
    }
    return { kills, outages }
  }

  const [faults] = await Promise.all([chaosMonkey(), ...Array.from({ length: options.concurrency }, client)])
  log(`driven: ${acknowledged.size} orders acknowledged`)

  // Settle: every order final (paid/cancelled). Dead letters (from injected faults) are replayed.
  const replayedDeadLetters = new Set<string>()
  const db = createClient({ url: serviceEnv.DATABASE_URL })
  const unfinishedCount = async () =>
    Number((await db.execute("SELECT COUNT(*) AS n FROM ordering_orders WHERE status NOT IN ('paid', 'cancelled')")).rows[0]!.n)
  const admin = { headers: { Authorization: 'Bearer chaos-admin' } }
  // Who must handle each event type: the subscribing contexts of its URL group.
  const groups = (await (await fetch(`${serviceUrl}/admin/subscriptions`, admin)).json()) as { eventType: string; endpoints: { name?: string }[] }[]
  const subscribersOf = new Map(groups.map((g) => [g.eventType, g.endpoints.map((e) => e.name ?? '')]))
  /** Integration events some subscribing context has not (yet) handled, as `event → context`. */
  const unhandledDeliveries = async (): Promise<string[]> => {
    const handled = new Set((await db.execute('SELECT event_id, subscriber FROM inbox')).rows.map((r) => `${r.event_id} ${String(r.subscriber).split(':')[0]}`))
    const { rows } = await db.execute("SELECT id, topic FROM outbox WHERE kind = 'integration'")
    return rows.flatMap((r) => (subscribersOf.get(String(r.topic)) ?? []).filter((c) => !handled.has(`${r.id} ${c}`)).map((c) => `${r.topic} ${r.id} → ${c}`))
  }
  await waitFor(
    async () => {
      const dead = (await (await fetch(`${serviceUrl}/admin/dead-letters`, admin)).json()) as { dlqId: string }[]
      for (const { dlqId } of dead) {
        if (replayedDeadLetters.has(dlqId)) continue
        const retry = await fetch(`${serviceUrl}/admin/dead-letters/${dlqId}/retry`, { ...admin, method: 'POST' }).catch(() => undefined)
        if (retry?.ok) replayedDeadLetters.add(dlqId)
      }
      const pending = Number((await db.execute("SELECT COUNT(*) AS n FROM outbox WHERE status != 'published'")).rows[0]!.n)
      // Settled only when every subscriber has handled every event: a replayed dead letter is still in flight until then.
      return pending === 0 && (await unfinishedCount()) === 0 && (await unhandledDeliveries()).length === 0
    },
    { timeoutMs: 120_000, intervalMs: 250, what: 'every order to settle' },
  ).catch((error) => log(String(error)))

  // Let in-flight redeliveries land before judging duplicates.
  await Bun.sleep(500)
  service.kill(9)
  broker.kill(9)
  await Promise.all([service.exited, broker.exited])
  proxy.stop(true)

  const problems: string[] = []
  const count = async (sql: string) => Number((await db.execute(sql)).rows[0]![0])
  const orderIds = new Set(acknowledged.values())
  let lost = 0
  for (const id of orderIds) {
    const { rows } = await db.execute({ sql: 'SELECT 1 FROM ordering_orders WHERE id = ?', args: [id] })
    if (rows.length === 0) lost++
  }
  const stored = await count('SELECT COUNT(*) FROM ordering_orders')
  const phantomOrders = stored - orderIds.size
  const phantomEvents =
    phantomOrders +
    (await count(
      "SELECT COUNT(*) FROM domain_events e WHERE aggregate_type = 'Order' AND NOT EXISTS (SELECT 1 FROM ordering_orders o WHERE o.id = e.aggregate_id)",
    ))
  // Effects that must happen once per cause.
  const duplicatedEffects =
    (await count('SELECT COUNT(*) FROM (SELECT event_id, kind FROM notifications_mailbox GROUP BY event_id, kind HAVING COUNT(*) > 1)')) +
    (await count(
      "SELECT COUNT(*) FROM (SELECT aggregate_id, type FROM domain_events WHERE aggregate_type = 'Order' GROUP BY aggregate_id, type HAVING COUNT(*) > 1)",
    )) +
    (await count('SELECT COUNT(*) FROM catalog_items WHERE reserved != 0 OR stock < 0'))
  // Catalog arithmetic: stock removed exactly once per paid order line.
  const { rows: stock } = await db.execute('SELECT id, stock FROM catalog_items')
  const sold = new Map<string, number>()
  for (const row of (await db.execute("SELECT state FROM ordering_orders WHERE status = 'paid'")).rows) {
    for (const item of JSON.parse(String(row.state)).items as { productId: string; units: number }[]) {
      sold.set(item.productId, (sold.get(item.productId) ?? 0) + item.units)
    }
  }
  const { seedProducts } = await import('../src/catalog/application/catalog.api.ts')
  for (const product of seedProducts) {
    const now = Number(stock.find((r) => r.id === product.id)?.stock)
    if (now !== product.stock - (sold.get(product.id) ?? 0))
      problems.push(`stock of ${product.id}: ${now}, expected ${product.stock - (sold.get(product.id) ?? 0)}`)
  }
  // Buyer spend equals the sum of their paid orders.
  for (const row of (await db.execute('SELECT id, state FROM ordering_buyers')).rows) {
    const spend = JSON.parse(String(row.state)).lifetimeSpend as number
    const paid = await count(`SELECT COALESCE(SUM(total), 0) FROM ordering_orders WHERE status = 'paid' AND buyer_id = '${String(row.id).replace(/'/g, "''")}'`)
    if (spend !== paid) problems.push(`buyer ${row.id}: spend ${spend}, paid orders ${paid}`)
  }
  const unfinished = await unfinishedCount()
  const unhandled = await unhandledDeliveries()
  if (unhandled.length > 0) problems.push(`${unhandled.length} deliveries never handled, e.g. ${unhandled[0]}`)
  db.close()
  return {
    kills: faults.kills,
    brokerOutages: faults.outages,
    orders: orderIds.size,
    lost,
    duplicatedEffects: duplicatedEffects + problems.filter((p) => p.startsWith('stock') || p.startsWith('buyer')).length,
    phantomEvents,
    unfinished,
    injectedFaults,
    deadLettersReplayed: replayedDeadLetters.size,
    problems,
  }
}

export function figureLine(f: ChaosFigures): string {
  const n = (x: number) => x.toLocaleString('en-US')
  return (
    `crash: ${n(f.kills)} kills, ${n(f.brokerOutages)} broker outages, ${n(f.injectedFaults)} injected delivery faults, ` +
    `${n(f.orders)} orders, ${n(f.lost)} lost, ${n(f.duplicatedEffects)} duplicated effects, ${n(f.phantomEvents)} phantom events, ` +
    `${n(f.unfinished)} unfinished, ${n(f.deadLettersReplayed)} dead letters replayed`
  )
}
