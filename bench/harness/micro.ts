import { median } from './stats.ts'

/** One timed batch: `iterations` calls of `op`, in ns per call. */
export async function timeBatch(op: (i: number) => unknown, iterations: number): Promise<number> {
  const start = Bun.nanoseconds()
  for (let i = 0; i < iterations; i++) await op(i)
  return (Bun.nanoseconds() - start) / iterations
}

export interface Comparison {
  /** Median ns per op of each side, over `samples` batches. */
  readonly subject: number
  readonly baseline: number
  readonly subjectSamples: readonly number[]
  readonly baselineSamples: readonly number[]
}

/**
 * Alternates batches of the two sides (subject, baseline, subject, …) so drift, GC and JIT
 * state hit both alike; `prepare` builds fresh inputs before each batch, outside the timing.
 */
export async function compare(options: {
  readonly samples: number
  readonly iterations: number
  readonly warmupBatches?: number
  readonly subject: { prepare?: (n: number) => void; op: (i: number) => unknown }
  readonly baseline: { prepare?: (n: number) => void; op: (i: number) => unknown }
}): Promise<Comparison> {
  const { samples, iterations, subject, baseline } = options
  const subjectSamples: number[] = []
  const baselineSamples: number[] = []
  for (let s = -(options.warmupBatches ?? 3); s < samples; s++) {
    subject.prepare?.(iterations)
    const a = await timeBatch(subject.op, iterations)
    baseline.prepare?.(iterations)
    const b = await timeBatch(baseline.op, iterations)
    if (s >= 0) {
      subjectSamples.push(a)
      baselineSamples.push(b)
    }
  }
  return { subject: median(subjectSamples), baseline: median(baselineSamples), subjectSamples, baselineSamples }
}
