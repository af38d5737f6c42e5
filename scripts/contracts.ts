import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { contracts } from '../src/contracts/index.ts'
import type { ContractSnapshot } from '../src/kernel/contracts/compatibility.ts'
import { checkSnapshots, snapshotFileName, snapshotOf } from '../src/platform/contract-snapshots.ts'

// bun run contracts:snapshot   writes contracts/<type>.json for every registered contract
// bun run contracts:check      fails when a committed snapshot was broken (see README)
const [command, ...args] = process.argv.slice(2)
const dirFlag = args.indexOf('--dir')
const dir = dirFlag >= 0 ? args[dirFlag + 1]! : join(import.meta.dir, '..', 'contracts')

if (command === 'snapshot') {
  mkdirSync(dir, { recursive: true })
  const existing = new Set(readdirSync(dir))
  for (const contract of contracts.all()) {
    const snapshot = snapshotOf(contract)
    const file = snapshotFileName(snapshot)
    // Published snapshots are never rewritten here: changing one is what the check forbids.
    if (existing.has(file) && !args.includes('--force')) continue
    writeFileSync(join(dir, file), `${JSON.stringify(snapshot, null, 2)}\n`)
    console.log(`wrote ${file}`)
  }
} else if (command === 'check') {
  const committed = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as ContractSnapshot)
  const report = checkSnapshots(contracts, committed)
  for (const line of report.lines) console.error(line)
  console.log(report.ok ? `contracts: ${committed.length} snapshots compatible` : 'contracts: BREAKING CHANGES (add a new major version instead)')
  process.exit(report.ok ? 0 : 1)
} else {
  console.error('usage: bun run scripts/contracts.ts snapshot|check [--dir contracts] [--force]')
  process.exit(2)
}
