/** Latency and timing summaries: exact percentiles over every recorded sample (no histogram buckets). */

export interface Summary {
  readonly count: number
  readonly mean: number
  readonly p50: number
  readonly p90: number
  readonly p99: number
  readonly max: number
}

/** Linear-interpolated percentile of an ascending array; `p` in [0, 100]. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  const rank = (p / 100) * (sorted.length - 1)
  const low = Math.floor(rank)
  const high = Math.ceil(rank)
  const a = sorted[low]!
  const b = sorted[high]!
  return a + (b - a) * (rank - low)
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = Float64Array.from(samples).sort()
  const values = Array.from(sorted)
  const mean = values.length === 0 ? Number.NaN : values.reduce((sum, v) => sum + v, 0) / values.length
  return {
    count: values.length,
    mean,
    p50: percentile(values, 50),
    p90: percentile(values, 90),
    p99: percentile(values, 99),
    max: values.length === 0 ? Number.NaN : values[values.length - 1]!,
  }
}

export function median(values: readonly number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    50,
  )
}

/** Wall-clock milliseconds since the epoch with sub-millisecond precision, comparable across processes. */
export function epochMs(): number {
  return performance.timeOrigin + performance.now()
}

export const round = (value: number, digits = 2): number => {
  if (!Number.isFinite(value)) return value
  const f = 10 ** digits
  return Math.round(value * f) / f
}
