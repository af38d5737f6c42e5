import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'

/**
 * The layering arrows (kernel ← toolkit ← contexts ← routes ← service), as .dependency-cruiser.cjs states them, checked by running
 * dependency-cruiser itself (the same config a developer runs with `npx depcruise src`).
 */
const root = join(import.meta.dir, '../..')
const depcruise = join(root, 'node_modules/.bin/depcruise')

interface Violation {
  readonly from: string
  readonly to: string
  readonly rule: { readonly name: string; readonly severity: string }
  readonly cycle?: readonly { readonly name: string }[]
}

interface Cruise {
  readonly modules: number
  readonly violations: readonly Violation[]
}

async function cruise(cwd: string, targets: readonly string[]): Promise<Cruise> {
  const run = Bun.spawn([depcruise, ...targets, '--config', '.dependency-cruiser.cjs', '--output-type', 'json'], {
    cwd,
    stdout: 'pipe',
    stderr: 'pipe',
  })
  const [out, err] = await Promise.all([new Response(run.stdout).text(), new Response(run.stderr).text(), run.exited])
  // depcruise exits non-zero when it finds errors, and still prints the JSON; no JSON means it broke.
  if (!out.trim()) throw new Error(`depcruise printed no result (exit ${run.exitCode}): ${err}`)
  const { summary } = JSON.parse(out) as { summary: { totalCruised: number; violations: Violation[] } }
  return { modules: summary.totalCruised, violations: summary.violations }
}

const describeViolation = (v: Violation) =>
  v.cycle ? `${v.rule.name}: ${[v.from, ...v.cycle.map((step) => step.name)].join(' → ')}` : `${v.rule.name}: ${v.from} → ${v.to}`

describe('the layering', () => {
  it('has no import that breaks an arrow in src/, routes/, examples/ or scripts/', async () => {
    const { modules, violations } = await cruise(root, ['src', 'routes', 'examples', 'scripts'])
    const found = violations.map(describeViolation)
    if (found.length > 0) console.error(`dependency-cruiser found ${found.length} violation(s):\n  ${found.join('\n  ')}`)

    expect(modules).toBeGreaterThan(100) // it did look at the code, not at an empty folder
    expect(found).toEqual([])
  })
})

/**
 * One probe per rule: a file that breaks exactly that rule. The probes are written into a copy of
 * the sources in a temporary folder, never into the working tree, so a typecheck or test run
 * beside this one never sees them.
 */
const PROBE = '__probe__'
interface Probe {
  readonly rule: string
  /** The probe's files and their source; a cycle needs two, and may be reported from either. */
  readonly files: Readonly<Record<string, string>>
}

const probe = (rule: string, file: string, source: string): Probe => ({ rule, files: { [file]: source } })

const probes: readonly Probe[] = [
  probe('kernel-imports-only-kernel', `src/kernel/${PROBE}/platform.ts`, `import '../../platform/index.ts'`),
  probe('kernel-no-runtime-modules', `src/kernel/${PROBE}/node.ts`, `import 'node:fs'`),
  probe('kernel-no-runtime-modules', `src/kernel/${PROBE}/bun.ts`, `import 'bun'`),
  probe('kernel-no-runtime-modules', `src/kernel/${PROBE}/hono.ts`, `import 'hono'`),
  probe('kernel-no-packages-but-zod', `src/kernel/${PROBE}/drizzle.ts`, `import 'drizzle-orm'`),
  probe('toolkit-not-to-contexts', `src/platform/${PROBE}/ordering.ts`, `import '../../ordering/index.ts'`),
  probe('toolkit-not-to-contexts', `src/dev/${PROBE}/routes.ts`, `import '../../../routes/catalog.ts'`),
  probe('toolkit-not-to-contracts', `src/platform/${PROBE}/contracts.ts`, `import '../../contracts/index.ts'`),
  probe('toolkit-not-to-service', `src/platform/${PROBE}/service.ts`, `import '../../service/contexts.ts'`),
  probe('toolkit-not-to-apps', `src/platform/${PROBE}/example.ts`, `import '../../../examples/${PROBE}/ok.ts'`),
  probe('dev-broker-not-to-platform', `src/dev/${PROBE}/platform.ts`, `import '../../platform/ids.ts'`),
  probe('contracts-import-only-kernel', `src/contracts/${PROBE}/platform.ts`, `import '../../platform/index.ts'`),
  probe('context-not-to-other-context', `src/catalog/${PROBE}/ordering.ts`, `import '../../ordering/index.ts'`),
  probe('context-not-to-other-context', `routes/ordering/${PROBE}/catalog.ts`, `import '../../catalog.ts'`),
  probe('context-not-to-routes', `src/catalog/${PROBE}/routes.ts`, `import '../../../routes/catalog.ts'`),
  probe('routes-only-public-apis', `routes/ordering/${PROBE}/internals.ts`, `import '../../../src/ordering/application/ordering.api.ts'`),
  probe('routes-only-public-apis', `routes/ordering/${PROBE}/store.ts`, `import '../../../src/platform/store/event-store.ts'`),
  probe('context-not-to-service', `src/payment/${PROBE}/service.ts`, `import '../../service/contexts.ts'`),
  probe('only-service-imports-contexts', `src/${PROBE}/contexts.ts`, `import '../ordering/index.ts'`),
  probe('not-to-test-or-bench', `src/kernel/${PROBE}/test.ts`, `import '../../../test/${PROBE}.ts'`),
  probe('examples-only-public-paths', `examples/${PROBE}/relative.ts`, `import '../../src/kernel/index.ts'`),
  probe('not-to-unresolvable', `src/kernel/${PROBE}/missing.ts`, `import './does-not-exist.ts'`),
  {
    rule: 'no-circular',
    files: { [`src/kernel/${PROBE}/cycle-a.ts`]: `import './cycle-b.ts'`, [`src/kernel/${PROBE}/cycle-b.ts`]: `import './cycle-a.ts'` },
  },
  {
    rule: 'no-circular',
    files: {
      [`src/kernel/${PROBE}/type-cycle-a.ts`]: `import type {} from './type-cycle-b.ts'`,
      [`src/kernel/${PROBE}/type-cycle-b.ts`]: `import './type-cycle-a.ts'`,
    },
  },
]

/** Files that break no rule: the public paths resolve; routes use their context's public API and the toolkit's hono entry. */
const allowed: Readonly<Record<string, string>> = {
  [`examples/${PROBE}/ok.ts`]: `import 'herald'\nimport 'herald/kernel'\nimport 'herald/dev'`,
  [`src/catalog/${PROBE}/ok.ts`]: `import '../../kernel/index.ts'\nimport '../../platform/index.ts'\nimport '../../contracts/index.ts'`,
  [`routes/ordering/${PROBE}/ok.ts`]: `import '../../../src/ordering/index.ts'\nimport '../../../src/platform/hono/index.ts'\nimport '../../../src/kernel/index.ts'`,
  [`src/service/${PROBE}/ok.ts`]: `import '../../../routes/catalog.ts'\nimport '../../catalog/index.ts'`,
}

const probeFiles: Readonly<Record<string, string>> = Object.assign({}, ...probes.map(({ files }) => files))

describe('the layering rules', () => {
  let copy = ''
  let violations: readonly Violation[] = []

  beforeAll(async () => {
    copy = mkdtempSync(join(tmpdir(), 'herald-layering-'))
    for (const folder of ['src', 'routes', 'examples']) cpSync(join(root, folder), join(copy, folder), { recursive: true })
    for (const file of ['package.json', 'tsconfig.json', '.dependency-cruiser.cjs']) cpSync(join(root, file), join(copy, file))
    symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'), 'dir')
    const files = { ...probeFiles, ...allowed, [`test/${PROBE}.ts`]: 'export {}' }
    for (const [file, source] of Object.entries(files)) {
      mkdirSync(dirname(join(copy, file)), { recursive: true })
      writeFileSync(join(copy, file), `${source}\n`)
    }
    const targets = [...new Set(Object.keys({ ...probeFiles, ...allowed }).map((file) => dirname(file)))]
    violations = (await cruise(copy, targets)).violations
  })

  afterAll(() => {
    if (copy) rmSync(copy, { recursive: true, force: true })
  })

  for (const { rule, files } of probes) {
    it(`${rule} catches ${Object.keys(files).join(' ⇄ ')}`, () => {
      const names = violations.filter((v) => v.from in files).map((v) => v.rule.name)
      expect([...new Set(names)]).toEqual([rule])
    })
  }

  it('have a probe each', async () => {
    const { forbidden } = (await import(join(root, '.dependency-cruiser.cjs'))).default as { forbidden: { name: string }[] }
    expect([...new Set(probes.map((p) => p.rule))].sort()).toEqual(forbidden.map((rule) => rule.name).sort())
  })

  it('let the public paths and the allowed arrows through', () => {
    const found = violations.filter((v) => v.from in allowed).map(describeViolation)
    expect(found).toEqual([])
  })
})
