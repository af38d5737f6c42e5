import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { waitFor } from '../support/wait-for.ts'
import { freePort, run, type Service, startService, waitUntilServing } from '../runtime/support.ts'

/*
 * What a team gets from the package, installed the way npm users do: `npm pack` (prepack builds
 * dist/ and writes the library's manifest), then a fresh project that FIRST installs the newest
 * hono and zod and THEN the tarball, with npm and no lockfile — the order that used to leave two
 * copies of hono and every route answering 500. The project is the second example application
 * (examples/library-loans, two contexts), copied in as its authors would write it; it runs under
 * Node (compiled by tsc against the published .d.ts) and under Bun (its TypeScript sources), and
 * each walks routes, commands, subscriber deliveries and a delayed job through the local broker.
 */

const ROOT = resolve(import.meta.dir, '../..')
const TSC = join(ROOT, 'node_modules/.bin/tsc')
const BUN = join(ROOT, 'node_modules/.bin/bun')
const NODE = spawnSync('which', ['node'], { encoding: 'utf8' }).stdout.trim()
const env = { ...process.env, CI: 'true', NO_COLOR: '1', npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' }
/** A PATH with Node and the system's tools but no Bun (npm's scripts put node_modules/.bin first). */
const NODE_ONLY_PATH = [dirname(NODE), '/usr/local/bin', '/usr/bin', '/bin'].join(':')

const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'ESNext',
    moduleResolution: 'Bundler',
    strict: true,
    outDir: 'out',
    rootDir: 'library',
    rewriteRelativeImportExtensions: true,
    lib: ['ES2023', 'DOM'],
    // Node's and Bun's globals (process) from the repository's @types; Herald's own types from the tarball.
    typeRoots: [join(ROOT, 'node_modules/@types')],
    types: ['bun'],
    skipLibCheck: true,
  },
  include: ['library/**/*.ts'],
  exclude: ['library/**/*.test.ts'],
}

let dir: string
let project: string
let tarball: string
let contents: string[]
const services: Service[] = []

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'herald-pack-'))
  await run('npm', ['pack', '--pack-destination', dir, '--silent'], { cwd: ROOT, env, timeoutMs: 180_000 })
  const packed = readdirSync(dir).filter((f) => f.endsWith('.tgz'))
  if (packed.length !== 1) throw new Error(`npm pack left ${packed.join(', ') || 'no tarball'} in ${dir}`)
  tarball = join(dir, packed[0]!)
  contents = (await run('tar', ['-tzf', tarball], { cwd: dir, env })).split('\n').filter(Boolean)

  project = join(dir, 'project')
  mkdirSync(project)
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'library-app', private: true, type: 'module' }, null, 2))
  writeFileSync(join(project, 'tsconfig.json'), JSON.stringify(TSCONFIG, null, 2))
  const npmInstall = (...args: string[]) =>
    run('npm', ['install', ...args, '--no-package-lock', '--no-audit', '--no-fund'], { cwd: project, env, timeoutMs: 180_000 })
  await npmInstall('hono@latest', 'zod@latest')
  await npmInstall(tarball)

  cpSync(join(ROOT, 'examples/library-loans'), join(project, 'library'), { recursive: true })
}, 420_000)

afterAll(async () => {
  await Promise.all(services.map((service) => service.stop()))
  if (dir) rmSync(dir, { recursive: true, force: true })
})

/** Every installed copy of `name` in the project (a second copy is how the 500s began). */
function copiesOf(name: string): string[] {
  const found = spawnSync('find', ['.', '-path', `*/node_modules/${name}/package.json`], { cwd: project, encoding: 'utf8' })
  return found.stdout
    .split('\n')
    .filter(Boolean)
    .map((path) => path.replace(/^\.\//, ''))
    .sort()
}

async function startLibrary(command: string, args: string[], cwd: string, name: string): Promise<string> {
  const port = await freePort()
  const service = startService(command, args, {
    cwd,
    env: {
      ...env,
      PATH: NODE_ONLY_PATH,
      PORT: String(port),
      QSTASH_DEV_PORT: String(await freePort()),
      DATABASE_URL: `file:${join(dir, `${name}.db`)}`,
      QSTASH_DEV_DB: `file:${join(dir, `${name}-qstash.db`)}`,
      QSTASH_DEV_DELAY_SCALE: '0.01',
      LOAN_PERIOD_MS: '300',
      LATE_RETURNS_BEFORE_SUSPENSION: '1',
    },
  })
  services.push(service)
  const url = `http://127.0.0.1:${port}`
  await waitUntilServing(`${url}/health`, service, 60_000)
  return url
}

/** Routes and commands, a delayed job (the due-date reminder), and deliveries both ways between the contexts. */
async function walkTheLibrary(url: string): Promise<void> {
  const post = (path: string, body?: unknown) =>
    fetch(`${url}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) })
  const get = async (path: string) => (await fetch(`${url}${path}`)).json() as Promise<Record<string, unknown>>

  const created = await post('/loans', { memberId: 'ada', bookId: 'dune' })
  expect(created.status).toBe(201)
  const { loanId } = (await created.json()) as { loanId: string }
  expect((await post(`/loans/${loanId}/lend`)).status).toBe(200)

  await waitFor(async () => (await get(`/loans/${loanId}`)).status === 'overdue', { timeoutMs: 30_000, what: 'the delayed reminder job' })
  expect((await post(`/loans/${loanId}/return`)).status).toBe(200)
  await waitFor(async () => Boolean((await get('/members/ada')).suspendedAt), { timeoutMs: 30_000, what: 'members to hear LoanReturned' })
  await waitFor(async () => Boolean((await get('/borrowers/ada')).suspendedAt), { timeoutMs: 30_000, what: 'loans to hear MemberSuspended' })

  const refused = await post('/loans', { memberId: 'ada', bookId: 'emma' })
  expect(refused.status).toBe(409)
  expect(refused.headers.get('Content-Type')).toBe('application/problem+json')
  expect(await refused.json()).toMatchObject({ code: 'LOAN.MEMBER_SUSPENDED' })
}

describe('the packed package, installed with npm into a fresh app', () => {
  it('ships the toolkit (sources, built JS, .d.ts, migrations, a JS bin) but no reference service, tests or Bun', () => {
    for (const file of [
      'package/dist/platform/index.js',
      'package/dist/platform/index.d.ts',
      'package/dist/kernel/index.d.ts',
      'package/dist/platform/testing/index.d.ts',
      'package/dist/dev/bin.js',
      'package/dist/platform/cli.js',
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
    expect(existsSync(join(project, 'node_modules/bun')), 'Bun is not a dependency of the library').toBe(false)
  })

  it('shares one copy of each framework with the app, even when the app installed newer ones first', async () => {
    for (const framework of ['hono', 'zod', 'drizzle-orm', '@hono/zod-openapi', '@libsql/client', 'cloudevents', '@upstash/qstash', '@opentelemetry/api']) {
      expect(copiesOf(framework), framework).toEqual([`node_modules/${framework}/package.json`])
    }
    const newest = (await run('npm', ['view', 'hono', 'version'], { cwd: project, env })).trim()
    const installed = JSON.parse(await Bun.file(join(project, 'node_modules/hono/package.json')).text()).version
    expect(installed).toBe(newest)
  }, 60_000)

  it('compiles the app with tsc against the published types and runs it under Node', async () => {
    const compiled = startService(TSC, ['-p', 'tsconfig.json'], { cwd: project, env })
    expect(await compiled.exited, compiled.output()).toBe(0)
    // The migrations travel beside the compiled contexts, as an app's own build would copy them.
    for (const context of ['loans', 'members'])
      cpSync(join(project, 'library', context, 'drizzle'), join(project, 'out', context, 'drizzle'), { recursive: true })
    await walkTheLibrary(await startLibrary(NODE, ['out/main.js'], project, 'node'))
  }, 150_000)

  it('gates the app’s own contracts with `npx herald contracts` under Node', async () => {
    const herald = (...args: string[]) =>
      startService('npx', ['--no-install', 'herald', 'contracts', ...args, '--from', 'out/contracts.js'], {
        cwd: project,
        env: { ...env, PATH: NODE_ONLY_PATH },
      })
    const snapshot = herald('snapshot')
    expect(await snapshot.exited, snapshot.output()).toBe(0)
    expect(readdirSync(join(project, 'contracts')).sort()).toEqual([
      'herald.loans.LoanReturned.v1.json',
      'herald.loans.LoanReturned.v2.json',
      'herald.members.MemberSuspended.v1.json',
    ])
    const passes = herald('check')
    expect(await passes.exited, passes.output()).toBe(0)
    expect(passes.output()).toContain('contracts: 3 snapshots compatible')

    // As if the published v2 had promised a field the code has since dropped.
    const file = join(project, 'contracts/herald.loans.LoanReturned.v2.json')
    const published = JSON.parse(readFileSync(file, 'utf8'))
    published.schema.properties.returnedBy = { type: 'string' }
    writeFileSync(file, JSON.stringify(published))
    const fails = herald('check')
    expect(await fails.exited).toBe(1)
    expect(fails.output()).toContain('herald.loans.LoanReturned.v2 data.returnedBy: FIELD_REMOVED')
  }, 60_000)

  it('runs the same app from its TypeScript sources under Bun', async () => {
    await walkTheLibrary(await startLibrary(BUN, ['run', 'library/main.ts'], project, 'bun'))
  }, 120_000)

  it('starts the local broker with `npx qstash-dev` where only Node is installed', async () => {
    expect(spawnSync('sh', ['-c', 'command -v bun'], { env: { PATH: NODE_ONLY_PATH } }).status, 'no bun on this PATH').not.toBe(0)
    const port = await freePort()
    const broker = startService('npx', ['--no-install', 'qstash-dev', '--port', String(port)], { cwd: project, env: { ...env, PATH: NODE_ONLY_PATH } })
    services.push(broker)
    await waitFor(() => broker.output().includes(`QSTASH_URL=http://127.0.0.1:${port}`), {
      timeoutMs: 30_000,
      what: `qstash-dev to start:\n${broker.output()}`,
    })
    const { Client } = await import('@upstash/qstash')
    const token = /QSTASH_TOKEN=(\S+)/.exec(broker.output())![1]!
    const client = new Client({ baseUrl: `http://127.0.0.1:${port}`, token })
    expect(await client.topics.list()).toEqual([])
  }, 60_000)
})
