import { z } from 'zod'
import { type Contract, type ContractRegistry, eventType, schemaPath } from '../../kernel/index.ts'
import { compareContracts, type ContractSnapshot, type Finding, formatFindings } from '../../kernel/contracts/compatibility.ts'

/** The snapshot of one contract as committed under `contracts/`: the public face consumers rely on. */
export function snapshotOf(contract: Contract): ContractSnapshot {
  return {
    type: eventType(contract),
    // Path only: the host differs per deployment, the path is the contract.
    dataschema: schemaPath(contract),
    schema: z.toJSONSchema(contract.schema, { target: 'draft-2020-12', io: 'input' }) as ContractSnapshot['schema'],
  }
}

export const snapshotFileName = (snapshot: Pick<ContractSnapshot, 'type'>) => `${snapshot.type}.json`

export interface GateReport {
  readonly ok: boolean
  readonly lines: readonly string[]
}

/**
 * The breaking-change gate: every committed snapshot must still be registered and compatible;
 * every registered contract must be snapshotted. A new major version is the way out of a break.
 */
export function checkSnapshots(registry: ContractRegistry, committed: readonly ContractSnapshot[]): GateReport {
  const current = new Map(registry.all().map((c) => [eventType(c), snapshotOf(c)]))
  const lines: string[] = []
  let ok = true
  for (const previous of committed) {
    const next = current.get(previous.type)
    if (!next) {
      ok = false
      lines.push(`${previous.type}: CONTRACT_REMOVED a published version is gone; consumers may still send or expect it`)
      continue
    }
    const findings: Finding[] = compareContracts(previous, next)
    if (findings.length > 0) {
      ok = false
      lines.push(formatFindings(previous.type, findings))
    }
  }
  const known = new Set(committed.map((s) => s.type))
  for (const type of current.keys()) {
    if (!known.has(type)) {
      ok = false
      lines.push(`${type}: NOT_SNAPSHOTTED run \`npx herald contracts snapshot\` and commit contracts/${type}.json`)
    }
  }
  return { ok, lines }
}
