/**
 * Figure 10 — production-shaped commands. `POST /orders` on the reference service configured as
 * production runs it: a real RS256 bearer JWT verified against a JWKS served over HTTP, the vault
 * sealing each new buyer's personal data, the OTel SDK registered with its OTLP/HTTP exporter
 * (to a stand-in receiver in its own process: no Collector can be installed here) and the default
 * sampler (every root span sampled), JSON request lines on stdout. Against figure 1's bare route
 * behind jose's `jwtVerify` with the same token. Each request is a new buyer with a token of their
 * own (`sub` = buyer id), signed ahead; alternating runs as everywhere (harness/pair.ts).
 */
import { join } from 'node:path'
import { JSON_HEADERS, uniqueOrderBody } from '../harness/fixtures.ts'
import { type BuyerToken, startIdentityProvider } from '../harness/identity.ts'
import { type LoadShape, measurePair } from '../harness/pair.ts'
import { spawnServer } from '../harness/process.ts'
import { type Entry, entry, type Target } from '../harness/report.ts'
import type { Figure, SuiteConfig } from '../harness/suite.ts'

/**
 * Tokens are signed ahead, one per request of a side: enough for this many requests per second
 * through every run of one side. Both sides, and every concurrency, walk the same pool (each
 * server has its own fresh file, so a buyer is new to each).
 */
const TOKENS_PER_SECOND = 3000
/** A short run (the smoke test's 0.25 s) still gets enough for a quiet machine's first burst. */
const TOKENS_MIN = 6000

interface Counts {
  readonly spans: number
  readonly traceExports: number
  readonly metricExports: number
}

/** Closed-loop POST /orders as buyer `pool[i]`, with that buyer's token. */
function authedOrdersShape(pool: readonly BuyerToken[], tag: string, connections: number, sent: { count: number }, log: (line: string) => void): LoadShape {
  let next = 0
  return {
    connections,
    request: () => {
      const i = next++
      sent.count++
      const buyer = pool[i]
      // Out of tokens: sent without one, so the 401s fail the run loudly instead of reusing a buyer.
      if (i === pool.length) log(`  out of buyer tokens after ${i} requests: raise TOKENS_PER_SECOND in bench/figures/10-production.ts`)
      if (!buyer) return { method: 'POST', path: '/orders', headers: JSON_HEADERS, body: uniqueOrderBody(tag, i) }
      return { method: 'POST', path: '/orders', headers: { ...JSON_HEADERS, authorization: `Bearer ${buyer.token}` }, body: uniqueOrderBody(tag, i) }
    },
    expectStatus: 201,
  }
}

const targets: Record<'p50' | 'rps', Target> = {
  p50: { on: 'ratio', op: '<=', limit: 1.3 },
  rps: { on: 'ratio', op: '>=', limit: 0.8 },
}

export const productionFigure: Figure = {
  id: '10',
  title: 'Production-shaped: POST /orders with JWT, vault, OTel export and request logs, vs bare Hono + jose + drizzle',
  async run(config: SuiteConfig) {
    const identity = await startIdentityProvider()
    const receiver = await spawnServer({ kind: 'otlp-receiver' })
    try {
      const tag = `f10-${Date.now().toString(36)}`
      const perSide = config.warmupSec + config.rounds * config.durationSec
      const t0 = performance.now()
      const pool = await identity.tokens(tag, Math.max(TOKENS_MIN, Math.ceil(perSide * TOKENS_PER_SECOND)))
      config.log(`  ${pool.length} RS256 buyer tokens signed in ${((performance.now() - t0) / 1000).toFixed(1)} s`)
      const entries: Entry[] = []
      const top = Math.max(...config.concurrencies)
      for (const c of config.concurrencies) {
        const before = await receiver.control<Counts>('counts')
        const sent = { count: 0 }
        const { baseline: bare, subject: herald } = await measurePair(
          config,
          {
            label: 'bare',
            spec: { kind: 'bare-auth-orders', dbPath: join(config.workDir, `f10-bare-c${c}.db`), jwksUrl: identity.jwksUrl },
            shape: () => authedOrdersShape(pool, tag, c, { count: 0 }, config.log),
          },
          {
            label: 'herald',
            spec: {
              kind: 'herald-production',
              dbPath: join(config.workDir, `f10-herald-c${c}.db`),
              jwksUrl: identity.jwksUrl,
              otlpUrl: receiver.url,
              experiments: config.experiments,
            },
            profile: c === top,
            shape: () => authedOrdersShape(pool, tag, c, sent, config.log),
          },
        )
        // The Herald server flushed its spans on stop, so this counts all of them.
        const after = await receiver.control<Counts>('counts')
        const spans = after.spans - before.spans
        config.log(
          `  c=${c}: ${spans} spans in ${after.traceExports - before.traceExports} OTLP exports (${(spans / Math.max(1, sent.count)).toFixed(1)} per request), ` +
            `${after.metricExports - before.metricExports} metric exports`,
        )
        const notes =
          `closed loop, ${c} connection(s), ${config.rounds} alternating runs of ${config.durationSec}s after ${config.warmupSec}s warm-up; ` +
          `Herald: RS256 JWT via AUTH_JWKS_URL, vault, OTel SDK → local OTLP/HTTP receiver (${(spans / Math.max(1, sent.count)).toFixed(1)} spans exported per request), ` +
          'JSON request logs, no messaging; baseline = bare Hono + jose jwtVerify (remote JWKS) + zod + drizzle batch'
        entries.push(
          entry({
            name: `10 production c=${c} throughput`,
            unit: 'req/s',
            value: herald.rps,
            baseline: bare.rps,
            ...(c > 1 ? { target: targets.rps } : {}),
            notes,
          }),
          entry({
            name: `10 production c=${c} latency p50`,
            unit: 'ms',
            value: herald.latency.p50,
            baseline: bare.latency.p50,
            ...(c === 1 ? { target: targets.p50 } : {}),
            notes,
          }),
          entry({ name: `10 production c=${c} latency p99`, unit: 'ms', value: herald.latency.p99, baseline: bare.latency.p99, notes }),
        )
      }
      return entries
    } finally {
      identity.stop()
      await receiver.stop()
    }
  },
}
