import autocannon, { type AutocannonRequest } from 'autocannon'
import { median, type Summary, summarize } from './stats.ts'

/** What one request of a load run looks like; `index` counts requests across all connections. */
export interface RequestSpec {
  readonly method: 'GET' | 'POST'
  readonly path: string
  readonly headers?: Record<string, string>
  readonly body?: string
}

export interface LoadOptions {
  /** Base URL of the server under test (`http://127.0.0.1:<port>`). */
  readonly url: string
  readonly connections: number
  readonly durationSec: number
  /** A run of the same shape whose results are thrown away (JIT, page cache, connection setup). */
  readonly warmupSec?: number
  /** Open-loop rate across all connections (requests per second); closed loop when absent. */
  readonly overallRate?: number
  /** Builds request number `index`; `context` is handed back to `onResponse`. */
  readonly request: (index: number, context: Record<string, unknown>) => RequestSpec
  /** Sees every response, of the warm-up run too (`phase` tells which). */
  readonly onResponse?: (status: number, body: string, context: Record<string, unknown>, phase: 'warmup' | 'measure') => void
  /** The status every response must have (default: any 2xx). */
  readonly expectStatus?: number
}

export interface LoadResult {
  readonly connections: number
  readonly durationSec: number
  readonly ok: number
  readonly unexpected: number
  readonly errors: number
  readonly timeouts: number
  /** Successful responses per second over the measured run. */
  readonly rps: number
  /** Every successful response's latency (ms, from autocannon's per-response hrtime). */
  readonly latency: Summary
  readonly samples: readonly number[]
  readonly statuses: Record<number, number>
}

/**
 * Drives autocannon programmatically against a real HTTP server: an optional warm-up run, then
 * the measured run. Latencies come from autocannon's `response` event (sub-millisecond floats),
 * so the percentiles here are exact rather than its integer histogram buckets.
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  let index = 0
  let phase: 'warmup' | 'measure' = 'warmup'
  const requests: AutocannonRequest[] = [
    {
      setupRequest: (request, context) => {
        const spec = options.request(index++, context)
        return {
          ...request,
          method: spec.method,
          path: spec.path,
          headers: spec.headers ?? {},
          ...(spec.body === undefined ? {} : { body: spec.body }),
        }
      },
      ...(options.onResponse ? { onResponse: (status, body, context) => options.onResponse!(status, body, context, phase) } : {}),
    },
  ]
  const shape = {
    url: options.url,
    connections: options.connections,
    pipelining: 1,
    timeout: 30,
    requests,
    ...(options.overallRate ? { overallRate: options.overallRate } : {}),
  }
  if (options.warmupSec && options.warmupSec > 0) await autocannon({ ...shape, duration: options.warmupSec })

  phase = 'measure'
  const latencies: number[] = []
  const statuses: Record<number, number> = {}
  const isOk = (status: number) => (options.expectStatus === undefined ? status >= 200 && status < 300 : status === options.expectStatus)
  const instance = autocannon({ ...shape, duration: options.durationSec })
  instance.on('response', (_client, status, _bytes, responseTime) => {
    statuses[status] = (statuses[status] ?? 0) + 1
    if (isOk(status)) latencies.push(responseTime)
  })
  const result = await instance
  const ok = latencies.length
  const unexpected = Object.entries(statuses).reduce((n, [status, count]) => (isOk(Number(status)) ? n : n + count), 0)
  return {
    connections: options.connections,
    durationSec: result.duration,
    ok,
    unexpected,
    errors: result.errors,
    timeouts: result.timeouts,
    rps: ok / result.duration,
    latency: summarize(latencies),
    samples: latencies,
    statuses,
  }
}

/** Throws when a run saw errors or unexpected statuses: its numbers would not mean what they say. */
export function assertClean(what: string, result: LoadResult, tolerance = 0): void {
  const bad = result.unexpected + result.errors + result.timeouts
  if (bad > tolerance) {
    throw new Error(
      `${what}: ${result.unexpected} unexpected statuses ${JSON.stringify(result.statuses)}, ${result.errors} errors, ${result.timeouts} timeouts`,
    )
  }
}

export const describeLoad = (r: LoadResult): string =>
  `c=${r.connections} ${r.durationSec.toFixed(0)}s ok=${r.ok} rps=${r.rps.toFixed(1)} p50=${r.latency.p50.toFixed(2)}ms p99=${r.latency.p99.toFixed(2)}ms`

/**
 * Several runs of one configuration as one result: the median throughput, and percentiles over
 * every run's latencies pooled (a p99 from 3× the samples, not a median of three p99s).
 */
export function combine(results: readonly LoadResult[]): LoadResult {
  if (results.length === 1) return results[0]!
  const samples = results.flatMap((r) => r.samples)
  const statuses: Record<number, number> = {}
  for (const r of results) for (const [s, n] of Object.entries(r.statuses)) statuses[Number(s)] = (statuses[Number(s)] ?? 0) + n
  const sum = (pick: (r: LoadResult) => number) => results.reduce((n, r) => n + pick(r), 0)
  return {
    connections: results[0]!.connections,
    durationSec: sum((r) => r.durationSec),
    ok: sum((r) => r.ok),
    unexpected: sum((r) => r.unexpected),
    errors: sum((r) => r.errors),
    timeouts: sum((r) => r.timeouts),
    rps: median(results.map((r) => r.rps)),
    latency: summarize(samples),
    samples,
    statuses,
  }
}
