import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { freePort, run, type Service, startService, waitUntilServing } from '../runtime/support.ts'

/*
 * What a user of the package gets: `npm pack` (prepack builds dist/), then a fresh project that
 * installs the tarball, typechecks an app against the published .d.ts (no `bun` condition, so
 * types come from dist/, not from the sources), and runs it under Bun (which imports the sources).
 */

const ROOT = resolve(import.meta.dir, '../..')
const TSC = join(ROOT, 'node_modules/.bin/tsc')
const BUN = join(ROOT, 'node_modules/.bin/bun')
const env = { ...process.env, CI: 'true', NO_COLOR: '1', npm_config_update_notifier: 'false' }

const APP = `import { createHerald, defineContext } from 'herald'
import { DomainError } from 'herald/kernel'
import { migrateDatabase, openDatabase } from 'herald/store'

const greetings = defineContext({ name: 'greetings', setup: () => ({ api: { greet: (name: string) => \`Hello, \${name}\` } }) })
const database = openDatabase({ url: \`file:\${process.env.DB_FILE}\` })
await migrateDatabase(database, [greetings])
const herald = createHerald({ database, contexts: [greetings], config: { publicUrl: \`http://127.0.0.1:\${process.env.PORT}\` } })
herald.app.get('/hello/:name', (c) => {
  if (c.req.param('name') === 'nobody') throw new DomainError('GREETING.NOBODY', 'Nobody to greet')
  return c.json({ greeting: herald.api(greetings).greet(c.req.param('name')) })
})
export default { port: Number(process.env.PORT), hostname: '127.0.0.1', fetch: herald.app.fetch }
`

/** Every other entry point's types, checked too (the app itself only needs three). */
const ENTRIES = `import type { ContextHarness } from 'herald/testing'
import { aggregateSpec, contextHarness } from 'herald/testing'
import { contextRoutes, problem } from 'herald/hono'
import { qstashMessaging } from 'herald/messaging'
import { startService, type Serve } from 'herald/runtime'
import { createWorker } from 'herald/worker'
import { startBroker, type Broker } from 'herald/dev'

export const used = [aggregateSpec, contextHarness, contextRoutes, problem, qstashMessaging, startService, createWorker, startBroker]
export type Used = [ContextHarness, Serve, Broker]
`

const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'ESNext',
    moduleResolution: 'Bundler',
    strict: true,
    noEmit: true,
    lib: ['ES2023', 'DOM'],
    // Bun's globals (process, the server) from the repository's @types/bun; Herald's own types from the tarball.
    typeRoots: [join(ROOT, 'node_modules/@types')],
    types: ['bun'],
    skipLibCheck: true,
  },
  files: ['app.ts', 'entries.ts'],
}

let dir: string
let project: string
let tarball: string
let contents: string[]
let app: Service | undefined
let url: string

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'herald-pack-'))
  await run('npm', ['pack', '--pack-destination', dir, '--silent'], { cwd: ROOT, env, timeoutMs: 120_000 })
  const packed = readdirSync(dir).filter((f) => f.endsWith('.tgz'))
  if (packed.length !== 1) throw new Error(`npm pack left ${packed.join(', ') || 'no tarball'} in ${dir}`)
  tarball = join(dir, packed[0]!)
  contents = (await run('tar', ['-tzf', tarball], { cwd: dir, env })).split('\n').filter(Boolean)

  project = join(dir, 'project')
  mkdirSync(project)
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'herald-user', private: true, type: 'module' }, null, 2))
  writeFileSync(join(project, 'tsconfig.json'), JSON.stringify(TSCONFIG, null, 2))
  writeFileSync(join(project, 'app.ts'), APP)
  writeFileSync(join(project, 'entries.ts'), ENTRIES)
  await run('npm', ['install', tarball, '--prefer-offline', '--no-audit', '--no-fund'], { cwd: project, env, timeoutMs: 120_000 })
}, 240_000)

afterAll(async () => {
  await app?.stop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

describe('the packed package', () => {
  it('ships the toolkit sources, the built JS and .d.ts, and the toolkit migrations, but no reference service or tests', () => {
    for (const file of [
      'package/dist/platform/index.js',
      'package/dist/platform/index.d.ts',
      'package/dist/kernel/index.d.ts',
      'package/dist/platform/testing/index.d.ts',
      'package/src/platform/index.ts',
      'package/src/platform/store/migrations/meta/_journal.json',
      'package/dist/platform/store/migrations/meta/_journal.json',
      'package/README.md',
    ]) {
      expect(contents, file).toContain(file)
    }
    const stray = contents.filter(
      (f) => /^package\/(?:src\/(?:ordering|catalog|payment|notifications|service|contracts)|routes|test|examples|bench)\//.test(f) || f.endsWith('.test.ts'),
    )
    expect(stray).toEqual([])
  })

  it('typechecks an app against the published types (dist/*.d.ts), which typecheck themselves', async () => {
    // One run with skipLibCheck off, so Herald's own declarations are checked too. drizzle-orm's
    // declarations do not pass a full lib check (its MySQL and SingleStore builders): only errors
    // in Herald's declarations or in the app count.
    const checked = startService(TSC, ['--noEmit', '-p', 'tsconfig.json', '--skipLibCheck', 'false', '--traceResolution'], { cwd: project, env })
    await checked.exited
    const output = checked.output()
    expect(output).toMatch(/Module name 'herald' was successfully resolved to '[^']*node_modules\/herald\/dist\/platform\/index\.d\.ts'/)
    const errors = output.split('\n').filter((line) => / error TS/.test(line) && !line.startsWith('node_modules/drizzle-orm/'))
    expect(errors).toEqual([])
  }, 90_000)

  it('runs the app under Bun and answers its route', async () => {
    const port = await freePort()
    url = `http://127.0.0.1:${port}`
    app = startService(BUN, ['run', 'app.ts'], { cwd: project, env: { ...env, PORT: String(port), DB_FILE: join(dir, 'app.db') } })
    await waitUntilServing(`${url}/health`, app, 30_000)
    const hello = await fetch(`${url}/hello/world`)
    expect(hello.status).toBe(200)
    expect(await hello.json()).toEqual({ greeting: 'Hello, world' })
    const refused = await fetch(`${url}/hello/nobody`)
    expect(refused.status).toBe(409)
    expect(await refused.json()).toMatchObject({ code: 'GREETING.NOBODY' })
  }, 60_000)

  it('imports every entry point under Node from the built JS', async () => {
    const entries = [
      'herald',
      'herald/kernel',
      'herald/store',
      'herald/messaging',
      'herald/hono',
      'herald/runtime',
      'herald/worker',
      'herald/dev',
      'herald/testing',
    ]
    const script = `for (const e of ${JSON.stringify(entries)}) { const m = await import(e); if (Object.keys(m).length === 0) throw new Error(e + ' exports nothing'); console.log(e, import.meta.resolve(e)) }`
    const output = await run('node', ['--input-type=module', '-e', script], { cwd: project, env })
    for (const entry of entries) expect(output).toMatch(new RegExp(`^${entry} file://.*/node_modules/herald/dist/.*\\.js$`, 'm'))
  }, 60_000)
})
