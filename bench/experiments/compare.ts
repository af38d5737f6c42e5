/**
 * Before/after for proposals, measured in the same time window: `bun run
 * bench/experiments/compare.ts --experiment a,b [--variants 'a;b;a,b'] [--figure orders|ingest]
 * [--concurrency 1,8,32] [--rounds 5] [--duration 4]`. Per concurrency level: the bare
 * baseline, Herald as it is, and Herald with each variant (a comma-separated set of
 * experiments; `--experiment` is one variant), each on its own fresh file, measured in rotating
 * order (harness/pair.ts), so the ratios are not at the mercy of the disk's mood.
 */
import { join } from 'node:path'
import { ordersShape } from '../figures/1-commands.ts'
import { deliveriesShape } from '../figures/3-ingest.ts'
import { workDirectory } from '../harness/fixtures.ts'
import type { LoadResult } from '../harness/load.ts'
import { measureSides, type Side } from '../harness/pair.ts'
import type { SuiteConfig } from '../harness/suite.ts'

const args = process.argv.slice(2)
const flag = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`)
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback
}
const experiments = flag('experiment', '').split(',').filter(Boolean)
const variants: string[][] = [
  ...(experiments.length ? [experiments] : []),
  ...flag('variants', '')
    .split(';')
    .map((v) => v.split(',').filter(Boolean))
    .filter((v) => v.length > 0),
]
const figure = flag('figure', 'orders')
const workDir = workDirectory()
const config: SuiteConfig = {
  quick: false,
  durationSec: Number(flag('duration', '4')),
  warmupSec: 1.5,
  rounds: Number(flag('rounds', '5')),
  concurrencies: flag('concurrency', figure === 'orders' ? '1,8,32' : '16')
    .split(',')
    .map(Number),
  seedEvents: 0,
  workDir,
  experiments,
  log: (line) => console.log(line),
}

const rows: string[] = []
for (const c of config.concurrencies) {
  const tag = `cmp-${c}-${Date.now().toString(36)}`
  const db = (name: string) => join(workDir, `${name}-c${c}.db`)
  const herald = (label: string, name: string, names: readonly string[]): Side =>
    figure === 'orders'
      ? { label, spec: { kind: 'herald', dbPath: db(name), experiments: names }, shape: () => ordersShape(`${tag}-${name}`, c) }
      : { label, spec: { kind: 'herald', signed: true, dbPath: db(name), experiments: names }, shape: (s, t) => deliveriesShape(s, t, `${tag}-${name}`, c) }
  const sides: Side[] = [
    figure === 'orders'
      ? { label: 'bare', spec: { kind: 'bare-orders', dbPath: db('bare') }, shape: () => ordersShape(`${tag}-b`, c) }
      : { label: 'bare', spec: { kind: 'bare-ingest', dbPath: db('bare') }, shape: (s, t) => deliveriesShape(s, t, `${tag}-b`, c) },
    herald('herald', 'herald', []),
    ...variants.map((names, i) => herald(`v${i + 1}`, `v${i + 1}`, names)),
  ]
  console.log(`\n${figure} c=${c}: bare vs herald vs ${variants.map((v, i) => `v${i + 1} = ${v.join(' + ')}`).join('; ')}`)
  const [bare, today, ...proposed] = await measureSides(config, sides)
  const f = (n: number) => n.toFixed(n >= 100 ? 0 : 1)
  const cell = (label: string, r: LoadResult) =>
    `${label.padEnd(7)} ${f(r.rps).padStart(5)} req/s (${(r.rps / bare!.rps).toFixed(2)}× bare)  p99 ${f(r.latency.p99)} ms`
  rows.push(
    `${figure} c=${c}`,
    `  ${cell('bare', bare!)}`,
    `  ${cell('herald', today!)}`,
    ...proposed.map((r, i) => `  ${cell(`v${i + 1}`, r)}  = ${variants[i]!.join(' + ')}`),
  )
}
console.log(`\n${rows.join('\n')}`)
