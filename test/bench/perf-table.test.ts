import { describe, expect, it } from 'bun:test'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const root = join(import.meta.dir, '../..')
const fixture = join(import.meta.dir, 'fixtures', 'perf-results.json')

const README = `# Herald

## Performance

Intro the generator leaves alone.

<!-- perf-table:begin -->
| a hand-edited row | that must go |
<!-- perf-table:end -->

Text after the table stays too.
`

/** Runs `npm run bench:table`'s script on a copy of a README, as a user would. */
async function generate(readme: string, results = fixture) {
  const path = join(mkdtempSync(join(tmpdir(), 'perf-table-')), 'README.md')
  writeFileSync(path, readme)
  const run = Bun.spawn([process.execPath, 'run', 'scripts/perf-table.ts', '--results', results, '--readme', path], {
    cwd: root,
    stdout: 'pipe',
    stderr: 'pipe',
  })
  const [code, stderr] = await Promise.all([run.exited, new Response(run.stderr).text()])
  return { code, stderr, readme: readFileSync(path, 'utf8') }
}

const block = (readme: string) => readme.slice(readme.indexOf('<!-- perf-table:begin -->'), readme.indexOf('<!-- perf-table:end -->'))

describe('npm run bench:table', () => {
  it('replaces the marked block with one row per judged figure of the results file', async () => {
    const { code, readme } = await generate(README)
    expect(code).toBe(0)
    const table = block(readme)
    expect(table).not.toContain('hand-edited')
    expect(table).toContain('| figure | Herald | baseline | ratio | target | |')
    expect(table).toContain('| 1 commands c=32 throughput | 1,953 req/s | 2,107 req/s | 0.927× | ≥ 0.8× | ✅ |')
    expect(table).toContain('| 7 flow: order → paid p99 | 463 ms | – | – | ≤ 250 ms | ❌ |')
    expect(table).toContain('| 10 production c=1 latency p50 | 1.61 ms | 0.541 ms | 2.98× | ≤ 1.3× | ❌ |')
    // Info-only figures stay in the JSON.
    expect(table).not.toContain('latency p50 | 12.3')
    expect(table).toContain('1 of 3 targets met.')
  })

  it("prints the run's date, command, machine load and what broke with the table", async () => {
    const table = block((await generate(README)).readme)
    expect(table).toContain('Measured 2026-12-03 21:40 UTC by `bun run bench/run.ts --only 1,7,10 --quick`')
    expect(table).toContain('git dba208d, Bun 1.4.5, 2 cores')
    expect(table).toContain('load average (1 / 5 / 15 min) 3.41 / 2.05 / 0.81 at the start, 4.12 / 2.48 / 1.00 at the end')
    expect(table).toContain('The machine was busy')
    expect(table).toContain('Figure 9 broke in this run')
  })

  it('leaves the rest of the README as it was, and gives the same README when run twice', async () => {
    const once = (await generate(README)).readme
    expect(once.startsWith('# Herald\n\n## Performance\n\nIntro the generator leaves alone.\n\n<!-- perf-table:begin -->')).toBe(true)
    expect(once.endsWith('<!-- perf-table:end -->\n\nText after the table stays too.\n')).toBe(true)
    expect((await generate(once)).readme).toBe(once)
  })

  it('refuses a README without the markers and changes nothing', async () => {
    const plain = '# Herald\n\n| a | table |\n'
    const { code, stderr, readme } = await generate(plain)
    expect(code).toBe(1)
    expect(stderr).toContain('perf-table:begin')
    expect(readme).toBe(plain)
  })

  it('refuses a file that is not a results file of bench/run.ts', async () => {
    const old = join(mkdtempSync(join(tmpdir(), 'perf-table-')), 'old.json')
    writeFileSync(old, JSON.stringify([{ name: 'an entry array from before run info', value: 1 }]))
    const { code, readme } = await generate(README, old)
    expect(code).toBe(1)
    expect(readme).toBe(README)
  })
})
