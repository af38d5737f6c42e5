import { afterAll, describe, expect, it } from 'bun:test'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { gzipSync } from 'node:zlib'
import { buildWorker } from './support.ts'

/*
 * `wrangler deploy --dry-run` bundles src/service/worker.ts exactly as a deploy would (esbuild with
 * the `workerd` export condition, nodejs_compat polyfills) and stops before uploading: no account,
 * no network. Then the bundle is checked for what must never reach a Worker.
 */

const ROOT = resolve(import.meta.dir, '../..')
const outdir = mkdtempSync(join(tmpdir(), 'herald-worker-build-'))
afterAll(() => rmSync(outdir, { recursive: true, force: true }))

/** Module paths in the bundle, from its source map (every input esbuild pulled in). */
function bundledModules(): string[] {
  const map = JSON.parse(readFileSync(join(outdir, 'worker.js.map'), 'utf8')) as { sources: string[] }
  return map.sources.map((source) => source.replace(/^(\.\.\/)+/, '/'))
}

/** The markers found in the bundle (a short failure message, not 1.7 MB of code). */
const markersIn = (code: string, markers: readonly string[]) => markers.filter((marker) => code.includes(marker))

describe('the Cloudflare Worker bundle', () => {
  it('builds with wrangler deploy --dry-run, without the dev broker, native libSQL or the migrator', async () => {
    const { output, bundlePath } = await buildWorker(ROOT, outdir)
    expect(output).toContain('--dry-run: exiting now.')
    expect(existsSync(bundlePath)).toBe(true)

    const bundle = readFileSync(bundlePath)
    const code = bundle.toString('utf8')
    const modules = bundledModules()
    expect(modules.some((m) => m.endsWith('/src/service/worker.ts'))).toBe(true)
    // Turso over HTTP: @libsql/client resolved to its web build (the `workerd` export condition).
    expect(modules.some((m) => m.endsWith('/@libsql/client/lib-esm/web.js'))).toBe(true)

    // The local QStash-compatible broker (src/dev) is dev-only: no module of it, no trace of its code.
    expect(modules.filter((m) => m.includes('/src/dev/'))).toEqual([])
    // (Markers only our broker has: its store's schema. The SDK's own `qstash-dev` cache dir is not ours.)
    expect(markersIn(code, ['src/dev/', 'CREATE TABLE IF NOT EXISTS url_groups', 'CREATE TABLE IF NOT EXISTS dlq', '[qstash-dev] listening'])).toEqual([])
    // No native libSQL: neither the Node build of the client nor the `libsql` addon and its binaries.
    expect(modules.filter((m) => /\/@libsql\/client\/lib-esm\/(node|sqlite3)\.js$|\/node_modules\/libsql\/|\/@libsql\/(linux|darwin|win32)-/.test(m))).toEqual(
      [],
    )
    expect(markersIn(code, ['libsql-linux', '@libsql/linux-', '.node"', ".node'", 'lib-esm/node.js'])).toEqual([])
    // No drizzle migrator (it reads migration files from disk; Turso is migrated with drizzle-kit).
    // (drizzle's SQLite dialect keeps its own `migrate` method: that one is plain code, not the migrator.)
    expect(modules.filter((m) => /migrator|\/src\/platform\/store\/migrate\.ts$/.test(m))).toEqual([])
    expect(markersIn(code, ['readMigrationFiles', 'drizzle/migrations'])).toEqual([])

    const kib = (bytes: number) => (bytes / 1024).toFixed(1)
    console.log(`worker bundle: ${kib(bundle.length)} KiB, gzip ${kib(gzipSync(bundle).length)} KiB (${modules.length} modules)`)
  }, 90_000)
})
