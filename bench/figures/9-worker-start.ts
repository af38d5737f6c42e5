/**
 * Figure 9 — the Worker's start. The deploy artefact of src/service/worker.ts
 * (`wrangler deploy --dry-run --outdir`, as `npm run worker:build`): its gzipped size, and the
 * time from starting `wrangler dev` on it (workerd, offline, `--no-bundle`, a fresh isolate each
 * time) to its first 200 on GET /health, which on Herald's first request also seeds the catalog
 * and syncs the URL groups. Baseline: a bare Hono Worker (bench/workers/bare-worker.ts) on the
 * same bindings whose /health asks the same Turso stand-in, built and started the same way, so
 * wrangler's and workerd's own start-up is on both sides.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { gzipSync } from 'node:zlib'
import { startBroker } from '../../src/dev/broker.ts'
import { startLibsqlHttpServer } from '../../test/fixtures/libsql-http/server.ts'
import { buildWorker, freePort, PRODUCTION_ADMIN_TOKEN, run, startJwks, startWranglerDev, wranglerEnv, writeWorkerEnv } from '../../test/runtime/support.ts'
import { entry } from '../harness/report.ts'
import { median } from '../harness/stats.ts'
import type { Figure } from '../harness/suite.ts'

const ROOT = resolve(import.meta.dir, '../..')
const WRANGLER = join(ROOT, 'node_modules/.bin/wrangler')
const TOKEN = 'bench-turso-token'

/** `wrangler deploy --dry-run` of the bare Worker, from a throwaway config beside it. */
async function buildBare(outdir: string): Promise<string> {
  const config = join(outdir, 'wrangler.bare.toml')
  writeFileSync(
    config,
    `name = "bare"\nmain = "${join(ROOT, 'bench/workers/bare-worker.ts')}"\ncompatibility_date = "2025-09-01"\ncompatibility_flags = ["nodejs_compat"]\n`,
  )
  await run(WRANGLER, ['deploy', '--dry-run', '--outdir', join(outdir, 'bare'), '--config', config], { cwd: ROOT, env: wranglerEnv() })
  return join(outdir, 'bare', 'bare-worker.js')
}

/** Starts `wrangler dev` on a built bundle and returns ms from spawn to the first 200 of /health. */
async function firstResponse(bundlePath: string, config: string, envFile: string, port: number, persist: string): Promise<number> {
  const started = performance.now()
  const worker = await startWranglerDev(ROOT, { bundle: bundlePath, config, port, envFile, persistTo: persist, logLevel: 'warn' })
  try {
    const deadline = Date.now() + 60_000
    for (;;) {
      if (Date.now() > deadline) throw new Error(`wrangler dev on ${bundlePath} did not answer within 60 s:\n${worker.output()}`)
      try {
        const response = await fetch(`http://127.0.0.1:${port}/health`)
        if (response.status === 200) return performance.now() - started
        await response.arrayBuffer()
      } catch {
        // not listening yet
      }
      await Bun.sleep(10)
    }
  } finally {
    await worker.stop()
  }
}

export const workerStartFigure: Figure = {
  id: '9',
  title: "The Worker's start: bundle size (gzip) and first response of a fresh isolate under workerd",
  async run(config) {
    const dir = mkdtempSync(join(config.workDir, 'f9-'))
    const fixture = await startLibsqlHttpServer({ dbPath: join(dir, 'turso.db'), authToken: TOKEN })
    const broker = await startBroker({ port: 0, dbUrl: `file:${join(dir, 'qstash.db')}` })
    const jwks = await startJwks()
    try {
      await run(process.execPath, ['run', 'scripts/migrate.ts'], {
        cwd: ROOT,
        env: { ...process.env, DATABASE_URL: fixture.url, DATABASE_AUTH_TOKEN: TOKEN },
        timeoutMs: 60_000,
      })
      const { bundlePath } = await buildWorker(ROOT, join(dir, 'herald'))
      const barePath = await buildBare(dir)
      const gzipKiB = (path: string) => gzipSync(readFileSync(path)).length / 1024
      const sizes = { herald: gzipKiB(bundlePath), bare: gzipKiB(barePath) }
      config.log(`  bundle gzip: herald ${sizes.herald.toFixed(1)} KiB, bare ${sizes.bare.toFixed(1)} KiB`)

      const rounds = config.quick ? 1 : Math.max(3, Math.min(config.rounds, 5))
      const times = { herald: [] as number[], bare: [] as number[] }
      for (let r = 0; r < rounds; r++) {
        // Alternating, each start on a fresh port, env file and state directory: a fresh isolate every time.
        for (const side of r % 2 === 0 ? (['bare', 'herald'] as const) : (['herald', 'bare'] as const)) {
          const port = await freePort()
          const envFile = writeWorkerEnv(join(dir, `${side}-${r}.env`), {
            databaseUrl: fixture.url,
            databaseToken: TOKEN,
            brokerUrl: broker.url,
            publicUrl: `http://127.0.0.1:${port}`,
            adminToken: PRODUCTION_ADMIN_TOKEN,
            jwksUrl: jwks.url,
          })
          const wranglerConfig = side === 'herald' ? join(ROOT, 'wrangler.toml') : join(dir, 'wrangler.bare.toml')
          const ms = await firstResponse(side === 'herald' ? bundlePath : barePath, wranglerConfig, envFile, port, join(dir, `state-${side}-${r}`))
          times[side].push(ms)
          config.log(`  ${side.padEnd(6)} wrangler dev → first 200 on /health: ${ms.toFixed(0)} ms`)
        }
      }
      const notes = `wrangler deploy --dry-run output under wrangler dev --local --no-bundle, spawn → first 200 of GET /health, median of ${rounds} alternating start(s); baseline = bare Hono Worker, same bindings`
      return [
        entry({
          name: '9 worker: bundle size gzip',
          unit: 'KiB',
          value: sizes.herald,
          baseline: sizes.bare,
          target: { on: 'value', op: '<=', limit: 300 },
          notes: 'wrangler deploy --dry-run --outdir, worker.js gzipped (node:zlib default level); baseline = bare Hono + @libsql/client/web Worker',
        }),
        entry({ name: '9 worker: start → first response', unit: 'ms', value: median(times.herald), baseline: median(times.bare), notes }),
      ]
    } finally {
      jwks.stop()
      await broker.stop()
      await fixture.stop()
      rmSync(dir, { recursive: true, force: true })
    }
  },
}
