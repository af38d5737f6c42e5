/**
 * Herald's benchmark suite (see bench/README.md):
 *
 *   bun run bench/run.ts [--quick] [--only 1,3] [--experiment name,…] [--profile]
 *                        [--rounds N] [--duration S] [--warmup S] [--concurrency 1,8,32] [--seed-events N] [--out path]
 *
 * Benchmarks are not tests: this prints a table (PASS/MISS beside each judged figure) and writes
 * bench/results/latest.json; it exits 0 whatever the figures say, and non-zero only when a run
 * itself broke (a server failed to start, requests errored).
 */
import { readFileSync, rmSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { join } from 'node:path'
import { figures } from './figures/index.ts'
import { workDirectory } from './harness/fixtures.ts'
import { type Entry, formatTable, writeResults } from './harness/report.ts'
import type { Figure, Shared, SuiteConfig } from './harness/suite.ts'

/** An in-process figure in a child Bun process (fresh heap, experiments' source patches applied). */
async function runIsolated(figure: Figure, config: SuiteConfig, shared: Shared): Promise<Entry[]> {
  const out = join(config.workDir, `figure-${figure.id}.json`)
  const { log: _log, ...plain } = config
  const child = Bun.spawn(
    [
      process.execPath,
      '--preload',
      join(import.meta.dir, 'experiments', 'preload.ts'),
      join(import.meta.dir, 'harness', 'child.ts'),
      figure.id,
      JSON.stringify(plain),
      JSON.stringify(shared),
      out,
    ],
    { stdout: 'inherit', stderr: 'inherit', env: { ...process.env, BENCH_EXPERIMENTS: config.experiments.join(',') } },
  )
  const code = await child.exited
  if (code !== 0) throw new Error(`figure ${figure.id} exited with ${code}`)
  return JSON.parse(readFileSync(out, 'utf8')) as Entry[]
}

function parseArgs(argv: readonly string[]) {
  const flags = new Map<string, string | true>()
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (!arg.startsWith('--')) throw new Error(`Unexpected argument ${arg}`)
    const [name, inline] = arg.slice(2).split('=', 2) as [string, string | undefined]
    const next = argv[i + 1]
    if (inline !== undefined) flags.set(name, inline)
    else if (['only', 'experiment', 'out', 'duration', 'warmup', 'seed-events', 'rounds', 'concurrency'].includes(name) && next !== undefined) {
      flags.set(name, next)
      i++
    } else flags.set(name, true)
  }
  return flags
}

const flags = parseArgs(process.argv.slice(2))
const quick = flags.has('quick')
const list = (name: string) => (typeof flags.get(name) === 'string' ? String(flags.get(name)).split(',').filter(Boolean) : [])
const only = new Set(list('only'))
const workDir = workDirectory()
const config: SuiteConfig = {
  quick,
  durationSec: Number(flags.get('duration') ?? (quick ? 2 : 4)),
  warmupSec: Number(flags.get('warmup') ?? (quick ? 0.5 : 2)),
  rounds: Number(flags.get('rounds') ?? (quick ? 1 : 5)),
  concurrencies: list('concurrency').length ? list('concurrency').map(Number) : [1, 8, 32],
  seedEvents: Number(flags.get('seed-events') ?? (quick ? 50_000 : 1_000_000)),
  workDir,
  experiments: list('experiment'),
  ...(flags.has('profile') ? { profileDir: join(import.meta.dir, 'results', 'profiles') } : {}),
  log: (line) => console.log(line),
}
const out = typeof flags.get('out') === 'string' ? String(flags.get('out')) : join(import.meta.dir, 'results', 'latest.json')

const git = (args: string[]) =>
  Bun.spawnSync(['git', ...args], { cwd: join(import.meta.dir, '..') })
    .stdout.toString()
    .trim()
const load = () =>
  loadavg()
    .map((n) => n.toFixed(2))
    .join(' ')
console.log(
  `Herald benchmarks${quick ? ' (--quick)' : ''}: ${config.rounds} alternating run(s) of ${config.durationSec}s per side after ${config.warmupSec}s warm-up; ` +
    `Bun ${Bun.version}; ${cpus().length} cores; load average ${load()}; ` +
    `git ${git(['rev-parse', '--short', 'HEAD']) || '?'}${git(['status', '--porcelain', '--', 'src', 'routes', 'drizzle']) ? ' + uncommitted changes in src/routes/drizzle' : ''}` +
    (config.experiments.length ? `; experiments: ${config.experiments.join(', ')}` : ''),
)
if (loadavg()[0]! > cpus().length) console.log(`warning: the machine is busy (load ${load()}): expect noisy figures`)
const started = performance.now()
const entries: Entry[] = []
const shared: Shared = {}
let failed = false
try {
  for (const figure of figures) {
    if (only.size > 0 && !only.has(figure.id)) continue
    console.log(`\n[${figure.id}] ${figure.title}`)
    const t0 = performance.now()
    try {
      entries.push(...(figure.isolated ? await runIsolated(figure, config, shared) : await figure.run(config, shared)))
    } catch (error) {
      failed = true
      console.error(`[${figure.id}] failed:`, error)
    }
    console.log(`  (${((performance.now() - t0) / 1000).toFixed(1)} s)`)
  }
} finally {
  rmSync(workDir, { recursive: true, force: true })
}

writeResults(out, entries)
console.log(`\n${formatTable(entries)}\n`)
const judged = entries.filter((e) => e.pass !== null)
console.log(
  `${judged.filter((e) => e.pass).length}/${judged.length} targets met; ${((performance.now() - started) / 1000).toFixed(1)} s; ` +
    `load average now ${load()}; results in ${out}`,
)
process.exit(failed ? 1 : 0)
