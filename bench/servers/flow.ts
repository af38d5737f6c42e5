import type { Client, InStatement, ResultSet } from '@libsql/client'
import type { Committer, Statement } from '../../src/kernel/index.ts'
import { DEV_QSTASH, qstashMessaging } from '../../src/platform/messaging/qstash.ts'
import { syncUrlGroups } from '../../src/platform/messaging/subscriptions.ts'
import { openDatabase } from '../../src/platform/store/database.ts'
import { createReferenceHerald, migrateReferenceDatabase } from '../../src/service/app.ts'
import { applyExperiments, verifierFor } from '../experiments/index.ts'
import type { ServerSpec } from '../harness/process.ts'
import { epochMs } from '../harness/stats.ts'
import { hopTrace } from './hop-trace.ts'
import type { ServerUnderTest } from './server.ts'

/** Per order id, epoch ms: when its command committed, when it was paid, when it was cancelled (should never happen). */
export interface FlowMarks {
  readonly created: Record<string, number>
  readonly paid: Record<string, number>
  readonly cancelled: Record<string, number>
}

const PAID = 'OrderStatusChangedToPaid'
const CANCELLED = 'OrderCancelled'

/** Stamps, after each durable commit, the orders it created (order row) and those it paid or cancelled (domain event rows). */
function flowMarkingCommitter(inner: Committer, marks: FlowMarks): Committer {
  return {
    async commit(statements: readonly Statement[]) {
      await inner.commit(statements)
      const at = epochMs()
      for (const s of statements) {
        if (s.sql.startsWith('INSERT INTO ordering_orders')) marks.created[String(s.args[0])] = at
        else if (s.sql.startsWith('INSERT INTO domain_events')) {
          if (s.args[4] === PAID) marks.paid[String(s.args[2])] = at
          else if (s.args[4] === CANCELLED) marks.cancelled[String(s.args[2])] = at
        }
      }
    },
  }
}

/**
 * The reference service as `npm run dev` serves it — immediate relay, periodic sweep, URL groups
 * synced, grace period 0 — talking to a local broker that runs in a process of its own (so the
 * two processes' CPU can be read apart). Catalog stock is raised so it never runs out.
 */
export async function heraldFlowServer(spec: Extract<ServerSpec, { kind: 'herald-flow' }>, publicUrl: string): Promise<ServerUnderTest> {
  const opened = openDatabase({ url: `file:${spec.dbPath}` })
  await migrateReferenceDatabase(opened)
  const database = applyExperiments(opened, spec.experiments ?? [], spec.dbPath)
  const sqlTime = process.env.BENCH_SQL_TIMING ? timeStatements(database.client) : undefined
  const marks: FlowMarks = { created: {}, paid: {}, cancelled: {} }
  /** Responses by path and status (deliveries answered 409/5xx are retried by the broker with backoff). */
  const statuses: Record<string, number> = {}
  let lastDelivery = 0
  const hops = hopTrace()
  const base = qstashMessaging({ url: spec.brokerUrl, ...DEV_QSTASH }, { relayMode: 'immediate' })
  const messaging = { ...base, publisher: hops.publisher(base.publisher!), verifier: verifierFor(spec.experiments ?? []) }
  const herald = createReferenceHerald({
    database: { ...database, committer: flowMarkingCommitter(hops.committer(database.committer), marks) },
    gracePeriodMs: 0,
    config: { publicUrl, adminToken: 'bench-admin-token' },
    messaging,
  })
  await herald.seed()
  await database.client.execute('UPDATE catalog_items SET stock = 1000000000')
  await syncUrlGroups(messaging.qstash, herald.urlGroupPlan(), publicUrl)
  const sweep = setInterval(() => void herald.relay?.sweep().catch(() => undefined), 2000)
  const fetch = hops.deliveries(async (request) => herald.app.fetch(request))
  return {
    async fetch(request) {
      const response = await fetch(request)
      const path = new URL(request.url).pathname
      const key = `${path.startsWith('/orders') ? path.slice(0, 7) : path} ${response.status}`
      statuses[key] = (statuses[key] ?? 0) + 1
      if (!path.startsWith('/orders')) lastDelivery = epochMs()
      return response
    },
    control: (path) => {
      if (path === 'marks') return marks
      if (path === 'statuses') return statuses
      if (path === 'sql') return sqlTime ?? {}
      if (path === 'hops-start') {
        hops.start()
        return { tracing: true }
      }
      if (path === 'hops') return hops.marks()
      // Cheap to poll while waiting for the flow to settle (the marks themselves grow with every order).
      if (path === 'progress') {
        const paid = Object.values(marks.paid)
        return {
          created: Object.keys(marks.created).length,
          paid: paid.length,
          cancelled: Object.keys(marks.cancelled).length,
          lastPaid: Math.max(0, ...paid),
          idleMs: epochMs() - lastDelivery,
        }
      }
      return undefined
    },
    close() {
      clearInterval(sweep)
      database.close()
    },
  }
}

/** BENCH_SQL_TIMING=1: wall ms and calls per statement text of `client.execute` (reads, the relay, the inbox; not the committer's batches). */
function timeStatements(client: Client): Record<string, { ms: number; calls: number }> {
  const totals: Record<string, { ms: number; calls: number }> = {}
  const execute = client.execute.bind(client) as (statement: InStatement) => Promise<ResultSet>
  client.execute = (async (statement: InStatement) => {
    const text = (typeof statement === 'string' ? statement : statement.sql).replace(/\s+/g, ' ').slice(0, 120)
    const started = performance.now()
    try {
      return await execute(statement)
    } finally {
      const t = totals[text] ?? { ms: 0, calls: 0 }
      totals[text] = t
      t.ms += performance.now() - started
      t.calls++
    }
  }) as Client['execute']
  return totals
}
