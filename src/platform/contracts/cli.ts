import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { type Contract, ContractRegistry } from '../../kernel/index.ts'
import type { ContractSnapshot } from '../../kernel/contracts/compatibility.ts'
import { checkSnapshots, snapshotFileName, snapshotOf } from './snapshots.ts'

export const CONTRACTS_USAGE = `Usage: herald contracts <check|snapshot> --from <module> [--dir contracts] [--force]
  check      fail (exit 1) when the code breaks a committed snapshot, or a contract has none
  snapshot   write <dir>/<event type>.json for every contract that has no snapshot yet
             (--force rewrites existing ones: only for a change the check accepted)
  --from     the module that exports your contracts: a ContractRegistry or defineContract(…) values
             (a .js file under Node; Bun and Deno also take the .ts file)
  --dir      where the snapshots live (default ./contracts)`

export class ContractsUsageError extends Error {}

interface Io {
  readonly log: (line: string) => void
  readonly error: (line: string) => void
}

/** Every contract a module exports: registries' contracts and defineContract values, once each. */
export function contractsExportedBy(module: Record<string, unknown>): ContractRegistry {
  const found = new Map<string, Contract>()
  for (const value of Object.values(module)) {
    const contracts = value instanceof ContractRegistry ? value.all() : isContract(value) ? [value] : []
    for (const contract of contracts) found.set(`${contract.source}.${contract.name}.v${contract.version}`, contract)
  }
  return new ContractRegistry([...found.values()])
}

// A registry from another copy of Herald fails `instanceof`; the shape of a contract does not.
function isContract(value: unknown): value is Contract {
  const c = value as Partial<Contract> | null
  return (
    typeof c === 'object' &&
    c !== null &&
    typeof c.source === 'string' &&
    typeof c.name === 'string' &&
    typeof c.version === 'number' &&
    typeof c.schema === 'object'
  )
}

function readSnapshots(dir: string): ContractSnapshot[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(resolve(dir, f), 'utf8')) as ContractSnapshot)
}

/**
 * `herald contracts check|snapshot`: the breaking-change gate a team runs on its own contracts
 * (in CI, before publishing). Returns the exit code.
 */
export async function contractsCommand(argv: readonly string[], io: Io = { log: console.log, error: console.error }): Promise<number> {
  let values: { from?: string; dir?: string; force?: boolean }
  let positionals: string[]
  try {
    ;({ values, positionals } = parseArgs({
      args: [...argv],
      options: { from: { type: 'string' }, dir: { type: 'string' }, force: { type: 'boolean' } },
      allowPositionals: true,
      strict: true,
    }))
  } catch (error) {
    throw new ContractsUsageError((error as Error).message)
  }
  const [command] = positionals
  if (command !== 'check' && command !== 'snapshot') throw new ContractsUsageError(`unknown command "${command ?? ''}"`)
  if (!values.from) throw new ContractsUsageError('--from <module> is required')
  const registry = contractsExportedBy(await import(pathToFileURL(resolve(values.from)).href))
  if (registry.all().length === 0) throw new ContractsUsageError(`${values.from} exports no contracts (a ContractRegistry or defineContract values)`)
  const dir = resolve(values.dir ?? 'contracts')

  if (command === 'snapshot') {
    mkdirSync(dir, { recursive: true })
    const existing = new Set(readdirSync(dir))
    for (const contract of registry.all()) {
      const snapshot = snapshotOf(contract)
      const file = snapshotFileName(snapshot)
      // Published snapshots are never rewritten here: changing one is what the check forbids.
      if (existing.has(file) && !values.force) continue
      writeFileSync(resolve(dir, file), `${JSON.stringify(snapshot, null, 2)}\n`)
      io.log(`wrote ${file}`)
    }
    return 0
  }
  const committed = readSnapshots(dir)
  const report = checkSnapshots(registry, committed)
  for (const line of report.lines) io.error(line)
  io.log(report.ok ? `contracts: ${committed.length} snapshots compatible` : 'contracts: BREAKING CHANGES (publish a new major version instead)')
  return report.ok ? 0 : 1
}
