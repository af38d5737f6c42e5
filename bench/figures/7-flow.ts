/**
 * Figure 7 — the flow. Orders reaching `paid` per second on the dev stack: the reference service
 * (immediate relay, sweep, grace period 0, stock that never runs out) and the local broker, each
 * in its own process so their CPU can be read apart (`npm run dev` runs them in one process).
 * Every order is a new buyer: POST /orders → grace-period job → awaiting validation → catalog
 * confirms stock → payment succeeds → paid, five deliveries through the broker and back.
 *
 * - sustained: closed-loop POST /orders at c=32 for the run, then wait until every order it
 *   created is paid; orders / (last `paid` commit − first POST). Beside figure 1's c=32 command
 *   throughput from the same run (measured here when figure 1 did not run).
 * - latency: open loop at half the sustained figure; POST response → `paid` committed.
 * - CPU: utime+stime of the service and of the broker over the sustained run, per paid order.
 */
import { join } from 'node:path'
import { type BrokerProcess, brokerAttemptStarts, cpuMs, spawnBroker } from '../harness/broker-process.ts'
import { JSON_HEADERS, uniqueOrderBody } from '../harness/fixtures.ts'
import { hopReport, orderHops, SEGMENTS } from '../harness/hops.ts'
import { measureSides } from '../harness/pair.ts'
import { assertClean, runLoad } from '../harness/load.ts'
import { type RunningServer, spawnServer } from '../harness/process.ts'
import { entry } from '../harness/report.ts'
import { epochMs, summarize } from '../harness/stats.ts'
import type { Figure, SuiteConfig } from '../harness/suite.ts'
import type { FlowMarks } from '../servers/flow.ts'
import type { HopMarks } from '../servers/hop-trace.ts'
import { ordersShape } from './1-commands.ts'

const CONNECTIONS = 32
const SETTLE_TIMEOUT_MS = 180_000

interface Progress {
  readonly created: number
  readonly paid: number
  readonly cancelled: number
  readonly lastPaid: number
  /** Since the last delivery the service answered (the broker still drains notifications after `paid`). */
  readonly idleMs: number
}

/**
 * Polls until every order committed so far (at least `count`: a POST cut off by the end of a run
 * may still have committed) is paid or cancelled and no delivery came for 300 ms (the mails
 * after `paid` are drained too, so the next phase starts on an idle stack); throws when the flow stalls.
 */
async function settled(server: RunningServer, count: number): Promise<Progress> {
  const deadline = Date.now() + SETTLE_TIMEOUT_MS
  for (;;) {
    const progress = await server.control<Progress>('progress')
    if (progress.created >= count && progress.paid + progress.cancelled >= progress.created && progress.idleMs > 300) return progress
    if (Date.now() > deadline) throw new Error(`flow: ${progress.paid} of ${count} orders paid after ${SETTLE_TIMEOUT_MS / 1000} s`)
    await Bun.sleep(50)
  }
}

/** Closed-loop POST /orders; returns the created order ids. */
async function burst(server: RunningServer, tag: string, seconds: number, rate?: number) {
  const responded = new Map<string, number>()
  const result = await runLoad({
    url: server.url,
    connections: rate ? 8 : CONNECTIONS,
    durationSec: seconds,
    ...(rate ? { overallRate: rate } : {}),
    request: (index) => ({ method: 'POST', path: '/orders', headers: JSON_HEADERS, body: uniqueOrderBody(tag, index) }),
    onResponse: (status, body) => {
      if (status === 201) responded.set((JSON.parse(body) as { orderId: string }).orderId, epochMs())
    },
    expectStatus: 201,
  })
  assertClean(`flow POST /orders (${tag})`, result)
  return responded
}

async function commandsAtC32(config: SuiteConfig): Promise<number> {
  const tag = `f7-c32-${Date.now().toString(36)}`
  const [herald] = await measureSides({ ...config, rounds: Math.min(config.rounds, 3) }, [
    {
      label: 'herald',
      spec: { kind: 'herald', dbPath: join(config.workDir, 'f7-commands.db'), experiments: config.experiments },
      shape: () => ordersShape(tag, CONNECTIONS),
    },
  ])
  return herald!.rps
}

export const flowFigure: Figure = {
  id: '7',
  title: 'The flow: orders reaching paid per second on the dev stack',
  async run(config, shared) {
    const commands = shared.commands?.[CONNECTIONS]?.herald ?? (await commandsAtC32(config))
    const seconds = config.quick ? config.durationSec : Math.max(10, config.durationSec * 2)
    let broker: BrokerProcess | undefined
    let server: RunningServer | undefined
    try {
      // The message log keeps more than its default 10,000 entries, so the latency phase's ACTIVE stamps are all still there.
      broker = await spawnBroker(join(config.workDir, 'f7-broker.db'), config.profileDir, { QSTASH_DEV_LOG_RETENTION: '200000' })
      server = await spawnServer(
        { kind: 'herald-flow', dbPath: join(config.workDir, 'f7-herald.db'), brokerUrl: broker.url, experiments: config.experiments },
        config.profileDir ? { cpuProfileDir: config.profileDir } : {},
      )
      const tag = `f7-${Date.now().toString(36)}`
      let expected = 0
      if (config.warmupSec > 0) {
        expected += (await burst(server, `${tag}-w`, config.warmupSec)).size
        await settled(server, expected)
      }

      // Sustained: first POST to last paid.
      const cpuBefore = { service: cpuMs(server.pid), broker: cpuMs(broker.pid) }
      const started = epochMs()
      const sustainedOrders = await burst(server, `${tag}-s`, seconds)
      expected += sustainedOrders.size
      const after = await settled(server, expected)
      const cpu = { service: cpuMs(server.pid) - cpuBefore.service, broker: cpuMs(broker.pid) - cpuBefore.broker }
      const sustained = sustainedOrders.size / ((after.lastPaid - started) / 1000)
      config.log(
        `  sustained: ${sustainedOrders.size} orders in ${((after.lastPaid - started) / 1000).toFixed(1)} s (POSTs for ${seconds} s) → ${sustained.toFixed(1)} paid/s; ` +
          `c=32 commands ${commands.toFixed(0)} req/s; CPU service ${cpu.service.toFixed(0)} ms, broker ${cpu.broker.toFixed(0)} ms`,
      )

      // Latency at half that rate, open loop.
      const rate = Math.max(1, Math.round(sustained / 2))
      await server.control('hops-start')
      const latencyStarted = epochMs()
      const latencyOrders = await burst(server, `${tag}-l`, seconds, rate)
      expected += latencyOrders.size
      await settled(server, expected)
      const marks = await server.control<FlowMarks>('marks')
      const hops = hopReport(orderHops(await server.control<HopMarks>('hops'), latencyOrders, await brokerAttemptStarts(broker.url, latencyStarted - 1000)))
      config.log(`  responses: ${JSON.stringify(await server.control('statuses'))}`)
      if (process.env.BENCH_SQL_TIMING) {
        const sql = Object.entries(await server.control<Record<string, { ms: number; calls: number }>>('sql')).sort((a, b) => b[1].ms - a[1].ms)
        for (const [text, t] of sql.slice(0, 12)) config.log(`  sql ${t.ms.toFixed(0).padStart(6)} ms ${String(t.calls).padStart(6)}× ${text}`)
      }
      const toPaid: number[] = []
      for (const [orderId, responded] of latencyOrders) {
        const paid = marks.paid[orderId]
        if (paid !== undefined) toPaid.push(paid - responded)
      }
      const latency = summarize(toPaid)
      const cancelled = Object.keys(marks.cancelled).length
      config.log(
        `  latency at ${rate} orders/s: ${toPaid.length} orders, POST response → paid p50 ${latency.p50.toFixed(1)} ms, p99 ${latency.p99.toFixed(1)} ms${cancelled ? `; ${cancelled} cancelled` : ''}`,
      )

      for (const line of hops?.lines ?? ['order → paid per hop: no complete chain was traced']) config.log(`  ${line}`)

      const notes =
        `service + broker (own processes), grace 0, new buyer per order, endless stock; sustained = ${sustainedOrders.size} orders ` +
        `POSTed closed-loop c=${CONNECTIONS} for ${seconds}s, first POST → last paid; baseline = figure 1 Herald c=32 command throughput`
      const perOrder = sustainedOrders.size || 1
      return [
        entry({
          name: '7 flow: orders paid/s (sustained)',
          unit: 'orders/s',
          value: sustained,
          baseline: commands,
          target: { on: 'ratio', op: '>=', limit: 0.1 },
          notes,
        }),
        entry({
          name: '7 flow: order → paid p50 at half rate',
          unit: 'ms',
          value: latency.p50,
          notes: `${rate} orders/s open loop for ${seconds}s, POST response → paid commit`,
        }),
        entry({
          name: '7 flow: order → paid p99 at half rate',
          unit: 'ms',
          value: latency.p99,
          target: { on: 'value', op: '<=', limit: 250 },
          notes: `${rate} orders/s open loop for ${seconds}s (${toPaid.length} orders), POST response → paid commit`,
        }),
        ...(hops
          ? SEGMENTS.map((segment) =>
              entry({
                name: `7 flow: slowest orders' ${segment} time (5 hops)`,
                unit: 'ms',
                value: hops.tail[segment],
                baseline: hops.median[segment],
                notes:
                  `value: mean over the ${hops.tail.orders} order(s) at or above the p99 of order → paid (${hops.tail.total.toFixed(0)} ms), ` +
                  `baseline: the median band p40–p60 (${hops.median.orders} orders, ${hops.median.total.toFixed(0)} ms); summed over the hops (see bench/harness/hops.ts)`,
              }),
            )
          : []),
        entry({
          name: '7 flow: service CPU per paid order',
          unit: 'CPU-ms',
          value: cpu.service / perOrder,
          target: { on: 'value', op: '<=', limit: 5 },
          notes: 'utime+stime from /proc over the sustained run',
        }),
        entry({
          name: '7 flow: broker CPU per paid order',
          unit: 'CPU-ms',
          value: cpu.broker / perOrder,
          target: { on: 'value', op: '<=', limit: 4 },
          notes: 'utime+stime from /proc over the sustained run',
        }),
      ]
    } finally {
      await server?.stop()
      await broker?.stop()
    }
  },
}
