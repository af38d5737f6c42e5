import { describe, expect, it } from 'bun:test'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

// The benchmark suite's smoke run, so it cannot rot. Nothing here judges speed: it only checks
// that every figure still runs and reports against its baseline (`bun run bench` is the real run).
describe('bun run bench (smoke)', () => {
  it('runs every figure briefly and writes one entry per figure with its baseline', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'herald-bench-')), 'smoke.json')
    const run = Bun.spawn(
      [
        process.execPath,
        'run',
        'bench/run.ts',
        '--quick',
        '--duration',
        '0.25',
        '--warmup',
        '0',
        '--seed-events',
        '2000',
        '--concurrency',
        '1,8,32',
        '--out',
        out,
      ],
      { cwd: join(import.meta.dir, '../..'), stdout: 'pipe', stderr: 'pipe' },
    )
    const [code, stdout] = await Promise.all([run.exited, new Response(run.stdout).text()])
    expect(code).toBe(0)
    const entries = JSON.parse(readFileSync(out, 'utf8')) as { name: string; unit: string; value: number; ratio: number | null; pass: boolean | null }[]
    for (const figure of ['1 commands', '2 limit', '3 ingest', '4 broker', '5 dispatcher', '6 growth', '7 flow', '8 low concurrency', '9 worker']) {
      expect(entries.some((e) => e.name.startsWith(figure))).toBe(true)
    }
    expect(entries.every((e) => Number.isFinite(e.value))).toBe(true)
    expect(stdout).toMatch(/targets met/)
  }, 300_000)
})
