import type { Entry } from './report.ts'

/** How long and how hard every figure runs; `--quick` shrinks all of it to a CI smoke step. */
export interface SuiteConfig {
  readonly quick: boolean
  /** Seconds of each measured load run. */
  readonly durationSec: number
  /** Seconds of each discarded warm-up run before it. */
  readonly warmupSec: number
  readonly concurrencies: readonly number[]
  /** Measured runs per side of each comparison, alternating (see harness/pair.ts). */
  readonly rounds: number
  /** Events seeded into the event store for figure 6. */
  readonly seedEvents: number
  /** Directory for this run's database files. */
  readonly workDir: string
  /** Bench-only experiments (bench/experiments) applied to every Herald server. */
  readonly experiments: readonly string[]
  /** When set, Herald servers run under `bun --cpu-prof-md` and write profiles here. */
  readonly profileDir?: string
  readonly log: (line: string) => void
}

/** What one figure leaves for later ones (figure 2 reads figure 1's c=32 throughput). */
export interface Shared {
  commands?: Record<number, { herald: number; bare: number }>
  /** Figure 1's p50 latency (ms) per concurrency, for figure 8. */
  commandLatency?: Record<number, { herald: number; bare: number }>
}

export interface Figure {
  readonly id: string
  readonly title: string
  /** Measured in-process (no HTTP): run.ts gives it a fresh child process of its own. */
  readonly isolated?: boolean
  run(config: SuiteConfig, shared: Shared): Promise<Entry[]>
}
