/**
 * Figure 8 — low concurrency. Figure 1 (POST /orders, Herald without messaging vs the bare Hono +
 * drizzle route) judged where a lone user or a small pool sits: at c=1 the p50 latency (what one
 * request costs end to end, no group commit to share an fsync with), at c=8 the throughput.
 * Taken from figure 1's runs when it ran in this suite; measured here the same way otherwise.
 */
import { entry } from '../harness/report.ts'
import type { Figure } from '../harness/suite.ts'
import { measureCommands } from './1-commands.ts'

export const lowConcurrencyFigure: Figure = {
  id: '8',
  title: 'Low concurrency: figure 1 at c=1 (p50) and c=8 (throughput)',
  async run(config, shared) {
    const at = async (c: number) => {
      const rps = shared.commands?.[c]
      const p50 = shared.commandLatency?.[c]
      if (rps && p50) return { rps, p50, from: 'figure 1 of this run' }
      const { baseline, subject } = await measureCommands(config, c)
      config.log(
        `  c=${c}: bare ${baseline.rps.toFixed(0)} req/s p50 ${baseline.latency.p50.toFixed(2)} ms; herald ${subject.rps.toFixed(0)} req/s p50 ${subject.latency.p50.toFixed(2)} ms`,
      )
      return { rps: { herald: subject.rps, bare: baseline.rps }, p50: { herald: subject.latency.p50, bare: baseline.latency.p50 }, from: 'measured here' }
    }
    const one = await at(1)
    const eight = await at(8)
    const notes = (c: number, from: string) =>
      `closed loop, ${c} connection(s), ${config.rounds} alternating runs of ${config.durationSec}s (${from}); baseline = bare Hono + drizzle batch`
    return [
      entry({
        name: '8 low concurrency: c=1 latency p50',
        unit: 'ms',
        value: one.p50.herald,
        baseline: one.p50.bare,
        target: { on: 'ratio', op: '<=', limit: 1.3 },
        notes: notes(1, one.from),
      }),
      entry({
        name: '8 low concurrency: c=8 throughput',
        unit: 'req/s',
        value: eight.rps.herald,
        baseline: eight.rps.bare,
        target: { on: 'ratio', op: '>=', limit: 1 },
        notes: notes(8, eight.from),
      }),
    ]
  },
}
