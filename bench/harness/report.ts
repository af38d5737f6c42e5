import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { round } from './stats.ts'

/**
 * One figure of the suite, the way `bench/results/latest.json` stores it. `ratio` is
 * value / baseline; `target` says what passes (on the ratio or on the value itself) and `pass`
 * is null for figures reported for information only.
 */
export interface Entry {
  readonly name: string
  readonly unit: string
  readonly value: number
  readonly baseline: number | null
  readonly ratio: number | null
  readonly target: string | null
  readonly pass: boolean | null
  /** How it was measured (concurrency, duration, samples, what the baseline is). */
  readonly notes?: string
}

export type Target =
  | { readonly on: 'ratio'; readonly op: '>=' | '<='; readonly limit: number }
  | { readonly on: 'value'; readonly op: '>=' | '<='; readonly limit: number }

/** Builds an entry: computes the ratio and judges the target. */
export function entry(options: { name: string; unit: string; value: number; baseline?: number | null; target?: Target; notes?: string }): Entry {
  const baseline = options.baseline ?? null
  const ratio = baseline === null || baseline === 0 || !Number.isFinite(baseline) ? null : options.value / baseline
  const { target } = options
  let pass: boolean | null = null
  let targetText: string | null = null
  if (target) {
    const subject = target.on === 'ratio' ? ratio : options.value
    targetText = target.on === 'ratio' ? `ratio ${target.op} ${target.limit}` : `value ${target.op} ${target.limit} ${options.unit}`
    pass = subject === null || !Number.isFinite(subject) ? false : target.op === '>=' ? subject >= target.limit : subject <= target.limit
  }
  return {
    name: options.name,
    unit: options.unit,
    value: round(options.value, 3),
    baseline: baseline === null ? null : round(baseline, 3),
    ratio: ratio === null ? null : round(ratio, 3),
    target: targetText,
    pass,
    ...(options.notes ? { notes: options.notes } : {}),
  }
}

/** The run the entries came from, so a table made from the file can say when, how and on what. */
export interface RunInfo {
  /** ISO-8601, when the run started. */
  readonly date: string
  /** The command line, as it was typed after `bun run`. */
  readonly command: string
  readonly quick: boolean
  readonly experiments: readonly string[]
  /** `os.loadavg()` (1, 5, 15 minutes) when the run started and when it ended. */
  readonly loadAverage: { readonly start: readonly number[]; readonly end: readonly number[] }
  readonly cores: number
  readonly bun: string
  /** Short commit, with ` + uncommitted changes in src/routes/drizzle` when there were any. */
  readonly git: string
  readonly durationSec: number
  /** Ids of the figures that broke (a server did not start, a request errored): they have no entries. */
  readonly failed: readonly string[]
}

/** What `bench/results/latest.json` holds. */
export interface RunResults {
  readonly run: RunInfo
  readonly entries: readonly Entry[]
}

export function writeResults(path: string, results: RunResults): void {
  mkdirSync(dirname(path), { recursive: true })
  writeFileSync(path, `${JSON.stringify(results, null, 2)}\n`)
}

const fmt = (value: number | null): string => {
  if (value === null) return '–'
  if (!Number.isFinite(value)) return String(value)
  const abs = Math.abs(value)
  return abs >= 100 ? value.toFixed(0) : abs >= 10 ? value.toFixed(1) : abs >= 1 ? value.toFixed(2) : value.toFixed(3)
}

/** The readable table: one line per entry, PASS/MISS beside each judged figure. */
export function formatTable(entries: readonly Entry[]): string {
  const rows = entries.map((e) => [
    e.pass === null ? 'info' : e.pass ? 'PASS' : 'MISS',
    e.name,
    fmt(e.value),
    fmt(e.baseline),
    e.ratio === null ? '–' : `${fmt(e.ratio)}×`,
    e.unit,
    e.target ?? '',
  ])
  const header = ['', 'figure', 'herald', 'baseline', 'ratio', 'unit', 'target']
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i >= 2 && i <= 4 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd()
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n')
}
