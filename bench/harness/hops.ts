import type { HopDelivery, HopMarks, HopRow } from '../servers/hop-trace.ts'
import { percentile } from './stats.ts'

/**
 * Where one hop's time goes, in ms, end to end from one durable commit to the next:
 * `relay` commit → the relay calls the broker; `broker` that call → the broker starts the
 * delivery attempt (its `ACTIVE` log entry: the accept write and fsync, the scheduler, the lanes);
 * `send` → the attempt reaches the service; `handle` → the command the delivery ran starts its
 * commit (verification, parsing, inbox read, handler, waiting for its turn is in `commit`);
 * `commit` → that commit is durable (the committer's queue, the write, the fsync). They add up to
 * the time between the two commits.
 */
export interface HopSegments {
  readonly relay: number
  readonly broker: number
  readonly send: number
  readonly handle: number
  readonly commit: number
}

export interface Hop extends HopSegments {
  /** `<outbox topic> → <delivery target>`, shortened. */
  readonly label: string
  /** Attempts before the one that committed (409s, 5xx or timeouts the broker retried). */
  readonly retried: number
  /** The broker's log had no ACTIVE entry for the attempt: `broker` then runs to its arrival and `send` is 0. */
  readonly noBrokerLog: boolean
}

export interface OrderHops {
  readonly orderId: string
  /** POST response → paid commit (figure 7's latency). */
  readonly total: number
  /** The POST's commit → the first relay call is hop 1's `relay`; this is how long before the response it committed. */
  readonly responseAfterCommit: number
  readonly hops: readonly Hop[]
}

export const SEGMENTS = ['relay', 'broker', 'send', 'handle', 'commit'] as const

/** `herald.ordering.OrderStockConfirmed.v1` → `ordering.OrderStockConfirmed`; `/subscribers/catalog` → `catalog`. */
const short = (topic: string, path: string) =>
  `${topic
    .replace(/^herald\./, '')
    .replace(/\.v\d+$/, '')
    .replace(/^handler:/, 'job ')} → ${path.split('/').at(-1)}`

/** The attempt that ran the command committed at `committed`: the successful one to `target` around that instant, else its last successful one. */
function committingAttempt(attempts: readonly HopDelivery[], target: string, committed: number): HopDelivery | undefined {
  const ok = attempts.filter((a) => a.status >= 200 && a.status < 300 && a.path.split('/').at(-1) === target)
  return ok.find((a) => a.arrived <= committed && committed <= a.answered) ?? ok.at(-1)
}

/**
 * Walks each order's chain back from its paid commit: the delivery whose inbox row was in that
 * commit, the outbox row it carried, the commit that wrote that row, … until the row the POST
 * wrote. Orders whose chain has a gap (a stamp missing) are left out.
 */
export function orderHops(marks: HopMarks, responded: ReadonlyMap<string, number>, brokerActive: ReadonlyMap<string, readonly number[]>): OrderHops[] {
  const messagesOf = new Map<string, string[]>()
  for (const [messageId, rowId] of Object.entries(marks.messages)) messagesOf.set(rowId, [...(messagesOf.get(rowId) ?? []), messageId])
  const orders: OrderHops[] = []
  for (const [orderId, respondedAt] of responded) {
    const paid = marks.paid[orderId]
    if (!paid) continue
    const hops: Hop[] = []
    let next = { committed: paid.committed, commitMs: paid.commitMs, target: paid.causeTarget }
    let cause: string | undefined = paid.cause
    let first: HopRow | undefined
    while (cause !== undefined) {
      const row: HopRow | undefined = marks.rows[cause]
      if (!row || row.publishStart === undefined) break
      const candidates = (messagesOf.get(cause) ?? []).flatMap((messageId) => (marks.deliveries[messageId] ?? []).map((a) => ({ messageId, a })))
      const attempt = committingAttempt(
        candidates.map((c) => c.a),
        next.target,
        next.committed,
      )
      if (!attempt) break
      const messageId = candidates.find((c) => c.a === attempt)!.messageId
      const active = (brokerActive.get(messageId) ?? []).filter((t) => t <= attempt.arrived + 1).at(-1)
      const startedAt = active ?? attempt.arrived
      hops.unshift({
        label: short(row.topic, attempt.path),
        relay: row.publishStart - row.committed,
        broker: startedAt - row.publishStart,
        send: attempt.arrived - startedAt,
        handle: next.committed - next.commitMs - attempt.arrived,
        commit: next.commitMs,
        retried: attempt.retried,
        noBrokerLog: active === undefined,
      })
      next = { committed: row.committed, commitMs: row.commitMs, target: row.causeTarget ?? '' }
      first = row
      cause = row.cause
    }
    if (cause !== undefined || !first) continue // a gap in the chain
    orders.push({ orderId, total: paid.committed - respondedAt, responseAfterCommit: respondedAt - first.committed, hops })
  }
  return orders
}

const WIDTH = 58

type Means = Record<(typeof SEGMENTS)[number], number>

function means(hops: readonly Hop[]): Means {
  const sum = (pick: (h: Hop) => number) => hops.reduce((n, h) => n + pick(h), 0) / Math.max(1, hops.length)
  return { relay: sum((h) => h.relay), broker: sum((h) => h.broker), send: sum((h) => h.send), handle: sum((h) => h.handle), commit: sum((h) => h.commit) }
}

export interface HopReport {
  /** Lines for the figure's log: one per hop, the median band's means beside the slowest orders'. */
  readonly lines: readonly string[]
  /** Per segment, summed over the hops: the slowest orders' mean (where the p99 goes). */
  readonly tail: Means & { readonly total: number; readonly orders: number }
  readonly median: Means & { readonly total: number; readonly orders: number }
}

/**
 * Where the p99 goes: the orders at or above the p99 of order → paid (at least one) against the
 * median band (p40–p60), each segment's mean per hop. Means, not percentiles per segment, so a
 * row adds up to what those orders waited.
 */
export function hopReport(orders: readonly OrderHops[]): HopReport | undefined {
  if (orders.length === 0) return undefined
  const sorted = [...orders].sort((a, b) => a.total - b.total)
  const totals = sorted.map((o) => o.total)
  const p99 = percentile(totals, 99)
  const tailOrders = sorted.filter((o) => o.total >= p99)
  const tail = tailOrders.length > 0 ? tailOrders : sorted.slice(-1)
  const band = sorted.slice(Math.floor(sorted.length * 0.4), Math.max(Math.floor(sorted.length * 0.4) + 1, Math.ceil(sorted.length * 0.6)))
  const hopCount = Math.max(...sorted.map((o) => o.hops.length))
  const f = (n: number) => n.toFixed(1).padStart(6)
  const lines = [
    `order → paid per hop, ms (mean of the median band p40–p60, ${band.length} orders | of the slowest ≥ p99, ${tail.length} order(s)); ` +
      'relay: commit → relay calls the broker; broker: → attempt starts (accept + fsync, scheduler, lanes); send: → reaches the service; ' +
      'handle: → its command starts committing; commit: → durable (queue, write, fsync)',
    `  ${'hop'.padEnd(WIDTH)} ${SEGMENTS.map((s) => s.padStart(15)).join(' ')}  retried`,
  ]
  for (let k = 0; k < hopCount; k++) {
    const at = (group: readonly OrderHops[]) => group.flatMap((o) => (o.hops[k] ? [o.hops[k]!] : []))
    const [m, t] = [means(at(band)), means(at(tail))]
    const label = sorted.find((o) => o.hops[k])?.hops[k]?.label ?? '?'
    const retried = at(sorted).reduce((n, h) => n + h.retried, 0)
    lines.push(`  ${`${k + 1} ${label}`.slice(0, WIDTH).padEnd(WIDTH)} ${SEGMENTS.map((s) => `${f(m[s])} |${f(t[s])}`).join(' ')}  ${retried}`)
  }
  const summed = (group: readonly OrderHops[]) => {
    const all = means(group.flatMap((o) => o.hops))
    const hops = group.reduce((n, o) => n + o.hops.length, 0) / Math.max(1, group.length)
    const total = group.reduce((n, o) => n + o.total, 0) / Math.max(1, group.length)
    return { ...(Object.fromEntries(SEGMENTS.map((s) => [s, all[s] * hops])) as Means), total, orders: group.length }
  }
  const [median, slow] = [summed(band), summed(tail)]
  lines.push(`  ${'all hops (sum)'.padEnd(WIDTH)} ${SEGMENTS.map((s) => `${f(median[s])} |${f(slow[s])}`).join(' ')}`)
  lines.push(`  order → paid: median band ${median.total.toFixed(1)} ms, slowest ${slow.total.toFixed(1)} ms`)
  const missing = sorted.reduce((n, o) => n + o.hops.filter((h) => h.noBrokerLog).length, 0)
  if (missing > 0) lines.push(`  (${missing} attempt(s) without a broker ACTIVE entry: their broker time runs to the arrival, send 0)`)
  return { lines, tail: slow, median }
}
