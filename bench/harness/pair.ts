import { assertClean, combine, describeLoad, type LoadOptions, type LoadResult, runLoad } from './load.ts'
import { type RunningServer, type ServerSpec, spawnServer } from './process.ts'
import type { SuiteConfig } from './suite.ts'

/** How one side of a comparison is loaded; built once its server is up (URLs, signed pools). */
export type LoadShape = Omit<LoadOptions, 'url' | 'durationSec' | 'warmupSec'>

export interface Side {
  readonly label: string
  readonly spec: ServerSpec
  /** Run this side's server under the CPU profiler (when the suite has a profile directory). */
  readonly profile?: boolean
  readonly shape: (server: RunningServer, totalSeconds: number) => LoadShape | Promise<LoadShape>
}

/**
 * Measures servers against each other on a noisy machine (fsync latency on this VM moves 10×
 * from one second to the next): all are started and warmed up, then `rounds` measured runs
 * rotate the order (A,B,C / B,C,A / …) so drift hits every side alike. Throughput is the median
 * of a side's runs; latency percentiles are over all its runs' samples pooled.
 */
export async function measureSides(config: SuiteConfig, sides: readonly Side[]): Promise<LoadResult[]> {
  const servers: RunningServer[] = []
  try {
    for (const side of sides) {
      servers.push(await spawnServer(side.spec, side.profile && config.profileDir ? { cpuProfileDir: config.profileDir } : {}))
    }
    const total = config.warmupSec + config.rounds * config.durationSec
    const shapes = await Promise.all(sides.map((side, i) => side.shape(servers[i]!, total)))
    const run = async (i: number, durationSec: number) => {
      const result = await runLoad({ ...shapes[i]!, url: servers[i]!.url, durationSec })
      assertClean(`${sides[i]!.label} (${sides[i]!.spec.kind})`, result)
      return result
    }
    if (config.warmupSec > 0) for (let i = 0; i < sides.length; i++) await run(i, config.warmupSec)
    const results: LoadResult[][] = sides.map(() => [])
    for (let r = 0; r < config.rounds; r++) {
      for (let k = 0; k < sides.length; k++) {
        const i = (r + k) % sides.length
        const result = await run(i, config.durationSec)
        config.log(`  ${sides[i]!.label.padEnd(8)} ${describeLoad(result)}`)
        results[i]!.push(result)
      }
    }
    return results.map(combine)
  } finally {
    await Promise.all(servers.map((s) => s.stop()))
  }
}

export interface PairResult {
  readonly baseline: LoadResult
  readonly subject: LoadResult
}

export async function measurePair(config: SuiteConfig, baseline: Side, subject: Side): Promise<PairResult> {
  const [b, s] = await measureSides(config, [baseline, subject])
  return { baseline: b!, subject: s! }
}
