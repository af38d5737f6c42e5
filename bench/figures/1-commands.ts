/**
 * Figure 1 — commands. `POST /orders` through the full Herald pipeline (createHerald on a fresh
 * libSQL file, NO messaging: the outbox rows are written, nothing relays them) versus a bare
 * Hono + drizzle route that validates the same body with the same zod schema and inserts the
 * same order and buyer rows in one batch. Closed-loop autocannon at each concurrency; every
 * request is a new buyer, so no two commands contend for one aggregate. Each server runs in its
 * own process on its own fresh file (one pair of files per concurrency level).
 */
import { join } from 'node:path'
import { JSON_HEADERS, uniqueOrderBody } from '../harness/fixtures.ts'
import { type LoadShape, measurePair } from '../harness/pair.ts'
import { type Entry, entry } from '../harness/report.ts'
import type { Figure, SuiteConfig } from '../harness/suite.ts'

/** Closed-loop POST /orders, each body from a new buyer; `onOrder` sees every created order id. */
export function ordersShape(tag: string, connections: number, onOrder?: (orderId: string) => void): LoadShape {
  let next = 0 // across every run of this side, so no buyer is ever reused
  return {
    connections,
    request: () => ({ method: 'POST', path: '/orders', headers: JSON_HEADERS, body: uniqueOrderBody(tag, next++) }),
    ...(onOrder
      ? {
          onResponse: (status: number, body: string, _context: Record<string, unknown>, phase: 'warmup' | 'measure') => {
            if (status === 201 && phase === 'measure') onOrder((JSON.parse(body) as { orderId: string }).orderId)
          },
        }
      : {}),
    expectStatus: 201,
  }
}

/** Figure 1's comparison at one concurrency: bare route vs Herald, alternating runs. */
export async function measureCommands(config: SuiteConfig, c: number, profile = false) {
  const tag = `f1-c${c}-${Date.now().toString(36)}`
  return measurePair(
    config,
    { label: 'bare', spec: { kind: 'bare-orders', dbPath: join(config.workDir, `f1-bare-c${c}-${tag}.db`) }, shape: () => ordersShape(`${tag}-b`, c) },
    {
      label: 'herald',
      spec: { kind: 'herald', dbPath: join(config.workDir, `f1-herald-c${c}-${tag}.db`), experiments: config.experiments },
      profile,
      shape: () => ordersShape(`${tag}-h`, c),
    },
  )
}

export const commandsFigure: Figure = {
  id: '1',
  title: 'Commands: POST /orders, Herald vs bare Hono + drizzle',
  async run(config, shared) {
    const entries: Entry[] = []
    shared.commands = {}
    const top = Math.max(...config.concurrencies)
    for (const c of config.concurrencies) {
      const { baseline: bare, subject: herald } = await measureCommands(config, c, c === top)
      shared.commands[c] = { herald: herald.rps, bare: bare.rps }
      shared.commandLatency = { ...shared.commandLatency, [c]: { herald: herald.latency.p50, bare: bare.latency.p50 } }
      const judged = c === 32
      const notes =
        `closed loop, ${c} connections, ${config.rounds} alternating runs of ${config.durationSec}s after ${config.warmupSec}s warm-up ` +
        `(median req/s, percentiles over all runs); Herald without messaging; baseline = bare Hono + drizzle batch`
      entries.push(
        entry({
          name: `1 commands c=${c} throughput`,
          unit: 'req/s',
          value: herald.rps,
          baseline: bare.rps,
          ...(judged ? { target: { on: 'ratio', op: '>=', limit: 0.9 } as const } : {}),
          notes,
        }),
        entry({ name: `1 commands c=${c} latency p50`, unit: 'ms', value: herald.latency.p50, baseline: bare.latency.p50, notes }),
        entry({
          name: `1 commands c=${c} latency p99`,
          unit: 'ms',
          value: herald.latency.p99,
          baseline: bare.latency.p99,
          ...(judged ? { target: { on: 'ratio', op: '<=', limit: 2 } as const } : {}),
          notes,
        }),
      )
    }
    return entries
  },
}
