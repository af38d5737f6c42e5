/**
 * Figure 4 — latency through the broker. The stack as `npm run dev` runs it (Herald + the local
 * QStash-compatible broker in one process, each on its own libSQL file, immediate relay on,
 * URL groups synced). autocannon places orders at a steady open-loop rate, each from a new
 * buyer, so each order's BuyerRegistered v2 travels outbox → relay → broker → signed delivery
 * → POST /subscribers/notifications → welcome-mail handler → commit.
 *
 * Method: a bench-only wrapper around the committer stamps (epoch ms, sub-ms) the commit of the
 * order's batch and of the subscriber's batch that writes the welcome mail, keyed by buyer id;
 * the load generator stamps the moment each POST response arrived (same clock:
 * performance.timeOrigin + performance.now()). Reported: POST response → handler committed
 * (the target) and order commit → handler committed. Baseline: a bare route that commits, then
 * publishes straight to the same broker (no outbox), and a bare webhook that verifies the
 * signature and inserts the row.
 */
import { join } from 'node:path'
import { JSON_HEADERS, uniqueOrderBody } from '../harness/fixtures.ts'
import { assertClean, runLoad } from '../harness/load.ts'
import { type ServerSpec, spawnServer } from '../harness/process.ts'
import { entry } from '../harness/report.ts'
import { epochMs, type Summary, summarize } from '../harness/stats.ts'
import type { Figure, SuiteConfig } from '../harness/suite.ts'
import type { Marks } from '../servers/stack.ts'

const RATE = 10

interface Journey {
  readonly fromResponse: Summary
  readonly fromCommit: Summary
  readonly orders: number
  readonly lost: number
  /** Herald only: medians of commit → publish called → broker acked → delivery arrived → handled. */
  readonly steps?: string
}

async function measureJourney(config: SuiteConfig, spec: ServerSpec, seconds: number): Promise<Journey> {
  const server = await spawnServer(spec)
  const tag = `f4-${spec.kind}-${Date.now().toString(36)}`
  const respondedAt = new Map<string, number>()
  try {
    const result = await runLoad({
      url: server.url,
      connections: 2,
      overallRate: RATE,
      durationSec: seconds,
      warmupSec: config.warmupSec,
      request: (index, context) => {
        context.buyerId = `${tag}-${index}`
        return { method: 'POST', path: '/orders', headers: JSON_HEADERS, body: uniqueOrderBody(tag, index) }
      },
      onResponse: (status, _body, context, phase) => {
        if (status === 201 && phase === 'measure') respondedAt.set(String(context.buyerId), epochMs())
      },
      expectStatus: 201,
    })
    assertClean(`POST /orders on ${spec.kind}`, result)
    // Wait for every measured order's delivery to be handled (or give up after 30 s).
    const deadline = Date.now() + 30_000
    let marks = await server.control<Marks>('marks')
    while ([...respondedAt.keys()].some((b) => marks.handled[b] === undefined) && Date.now() < deadline) {
      await Bun.sleep(100)
      marks = await server.control<Marks>('marks')
    }
    const fromResponse: number[] = []
    const fromCommit: number[] = []
    let lost = 0
    for (const [buyerId, responded] of respondedAt) {
      const handled = marks.handled[buyerId]
      const committed = marks.committed[buyerId]
      if (handled === undefined || committed === undefined) {
        lost++
        continue
      }
      fromResponse.push(handled - responded)
      fromCommit.push(handled - committed)
    }
    if (lost > 0) config.log(`  ${spec.kind}: ${lost} of ${respondedAt.size} deliveries not handled within 30 s`)
    let steps: string | undefined
    if (marks.steps) {
      const parts = { claim: [] as number[], publish: [] as number[], deliver: [] as number[], handle: [] as number[] }
      for (const buyerId of respondedAt.keys()) {
        const s = marks.steps[buyerId]
        const committed = marks.committed[buyerId]
        const handled = marks.handled[buyerId]
        if (!s?.publishStart || !s.publishEnd || !s.arrived || committed === undefined || handled === undefined) continue
        parts.claim.push(s.publishStart - committed)
        parts.publish.push(s.publishEnd - s.publishStart)
        parts.deliver.push(s.arrived - s.publishStart)
        parts.handle.push(handled - s.arrived)
      }
      const m = (xs: number[]) => summarize(xs).p50.toFixed(1)
      steps =
        `median ms: commit→publish called ${m(parts.claim)} (relay claim), publish→broker ack ${m(parts.publish)}, ` +
        `publish→delivery arrives ${m(parts.deliver)}, arrives→handler committed ${m(parts.handle)}`
    }
    return { fromResponse: summarize(fromResponse), fromCommit: summarize(fromCommit), orders: respondedAt.size, lost, ...(steps ? { steps } : {}) }
  } finally {
    await server.stop()
  }
}

const show = (s: Summary) => `p50 ${s.p50.toFixed(1)} ms, p99 ${s.p99.toFixed(1)} ms, max ${s.max.toFixed(1)} ms`

export const brokerLatencyFigure: Figure = {
  id: '4',
  title: 'Latency through the broker: commit → subscriber handled',
  async run(config) {
    const seconds = config.quick ? config.durationSec : Math.max(20, config.durationSec * 2)
    const bare = await measureJourney(
      config,
      { kind: 'bare-stack', dbPath: join(config.workDir, 'f4-bare.db'), brokerDbPath: join(config.workDir, 'f4-bare-broker.db') },
      seconds,
    )
    config.log(`  bare   ${bare.orders} orders: response→handled ${show(bare.fromResponse)}; commit→handled ${show(bare.fromCommit)}`)
    const herald = await measureJourney(
      config,
      {
        kind: 'herald-stack',
        dbPath: join(config.workDir, 'f4-herald.db'),
        brokerDbPath: join(config.workDir, 'f4-herald-broker.db'),
        experiments: config.experiments,
      },
      seconds,
    )
    config.log(`  herald ${herald.orders} orders: response→handled ${show(herald.fromResponse)}; commit→handled ${show(herald.fromCommit)}`)
    if (herald.steps) config.log(`  herald ${herald.steps}`)
    const notes =
      `${RATE} orders/s open loop for ${seconds}s (${herald.orders} orders, ${herald.lost} not handled); committer-wrapper stamps; ` +
      `baseline = commit then publish straight to the broker, bare webhook${herald.steps ? `; Herald ${herald.steps}` : ''}`
    return [
      entry({ name: '4 broker: POST response → handled p50', unit: 'ms', value: herald.fromResponse.p50, baseline: bare.fromResponse.p50, notes }),
      entry({
        name: '4 broker: POST response → handled p99',
        unit: 'ms',
        value: herald.fromResponse.p99,
        baseline: bare.fromResponse.p99,
        target: { on: 'value', op: '<=', limit: 50 },
        notes,
      }),
      entry({ name: '4 broker: order commit → handled p50', unit: 'ms', value: herald.fromCommit.p50, baseline: bare.fromCommit.p50, notes }),
      entry({ name: '4 broker: order commit → handled p99', unit: 'ms', value: herald.fromCommit.p99, baseline: bare.fromCommit.p99, notes }),
    ]
  },
}
