import { describe, expect, it } from 'bun:test'
import { hopReport, orderHops } from '../../bench/harness/hops.ts'
import type { HopMarks } from '../../bench/servers/hop-trace.ts'

/*
 * Figure 7's per-hop breakdown walks each order's chain back from its paid commit. Two hops here:
 * the POST's commit writes row r1 (t=100); its delivery (message m1) runs a command that writes
 * r2 (commit 10 ms, durable at t=150); r2's delivery (m2, retried once after a 409) commits paid.
 */
const marks: HopMarks = {
  rows: {
    r1: { topic: 'herald.ordering.OrderStarted.v1', committed: 100, commitMs: 3, publishStart: 105, publishEnd: 109 },
    r2: { topic: 'handler:payWhenStarted', committed: 150, commitMs: 10, cause: 'r1', causeTarget: 'payment', publishStart: 152, publishEnd: 154 },
  },
  messages: { m1b: 'r1', m1: 'r1', m2: 'r2' },
  deliveries: {
    // A fan-out copy of r1 to another subscriber, answered around the same commit: not the one that led on.
    m1b: [{ path: '/subscribers/notifications', arrived: 111, answered: 200, status: 200, retried: 0 }],
    m1: [{ path: '/subscribers/payment', arrived: 120, answered: 151, status: 200, retried: 0 }],
    m2: [
      { path: '/internal/handlers/payWhenStarted', arrived: 160, answered: 161, status: 409, retried: 0 },
      { path: '/internal/handlers/payWhenStarted', arrived: 230, answered: 262, status: 200, retried: 1 },
    ],
  },
  paid: { o1: { cause: 'r2', causeTarget: 'payWhenStarted', committed: 260, commitMs: 20 } },
}
const active = new Map([
  ['m1', [115]],
  ['m2', [158, 225]],
])

describe("figure 7's per-hop breakdown", () => {
  it('follows each delivery to the commit it ran, and splits each hop into parts that add up', () => {
    const [order] = orderHops(marks, new Map([['o1', 102]]), active)
    expect(order!.total).toBe(158)
    expect(order!.responseAfterCommit).toBe(2)
    expect(order!.hops.map((h) => h.label)).toEqual(['ordering.OrderStarted → payment', 'job payWhenStarted → payWhenStarted'])
    expect(order!.hops[0]).toMatchObject({ relay: 5, broker: 10, send: 5, handle: 20, commit: 10, retried: 0 })
    // The retried attempt is the one that committed; the broker's second ACTIVE is its start.
    expect(order!.hops[1]).toMatchObject({ relay: 2, broker: 73, send: 5, handle: 10, commit: 20, retried: 1 })
    const sum = order!.hops.reduce((n, h) => n + h.relay + h.broker + h.send + h.handle + h.commit, 0)
    expect(sum).toBe(260 - 100)
  })

  it('leaves out an order whose chain has a gap, and reports nothing without orders', () => {
    const gap: HopMarks = { ...marks, rows: { r2: marks.rows.r2! } }
    expect(orderHops(gap, new Map([['o1', 102]]), active)).toEqual([])
    expect(hopReport([])).toBeUndefined()
  })

  it('sums the slowest orders per segment beside the median band', () => {
    const report = hopReport(orderHops(marks, new Map([['o1', 102]]), active))!
    expect(report.tail).toMatchObject({ relay: 7, broker: 83, send: 10, handle: 30, commit: 30, total: 158, orders: 1 })
    expect(report.lines.some((line) => line.includes('job payWhenStarted'))).toBe(true)
  })
})
