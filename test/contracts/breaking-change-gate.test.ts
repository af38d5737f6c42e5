import { describe, expect, it } from 'bun:test'
import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { contracts } from '../../src/contracts/index.ts'
import type { ContractSnapshot } from '../../src/kernel/contracts/compatibility.ts'
import { checkSnapshots } from '../../src/platform/contracts/snapshots.ts'

const root = join(import.meta.dir, '../..')
const committedDir = join(root, 'contracts')
const committed = (): ContractSnapshot[] => readdirSync(committedDir).map((f) => JSON.parse(readFileSync(join(committedDir, f), 'utf8')) as ContractSnapshot)

function withSnapshot(type: string, change: (s: any) => void): ContractSnapshot[] {
  return committed().map((s) => {
    if (s.type !== type) return s
    const copy = structuredClone(s) as any
    change(copy)
    return copy
  })
}

describe('contracts:check', () => {
  it('passes for the committed snapshots', () => {
    expect(checkSnapshots(contracts, committed())).toEqual({ ok: true, lines: [] })
  })

  it('fails when the code dropped a field a snapshot promises, naming field and rule', () => {
    // As if `discountCode` had been published and then removed from the zod schema.
    const snapshots = withSnapshot('herald.ordering.OrderShipped.v1', (s) => {
      s.schema.properties.discountCode = { type: 'string' }
    })
    const report = checkSnapshots(contracts, snapshots)
    expect(report.ok).toBe(false)
    expect(report.lines.join('\n')).toContain('herald.ordering.OrderShipped.v1 data.discountCode: FIELD_REMOVED')
  })

  it('fails when the code narrowed a type or removed an enum value', () => {
    const snapshots = withSnapshot('herald.ordering.OrderCancelled.v1', (s) => {
      s.schema.properties.reason.enum.push('fraud')
    })
    expect(checkSnapshots(contracts, snapshots).lines.join('\n')).toContain('data.reason: ENUM_VALUE_REMOVED')
  })

  it('fails when a field became required, or the dataschema moved', () => {
    const required = withSnapshot('herald.ordering.BuyerRegistered.v2', (s) => {
      s.schema.required = s.schema.required.filter((f: string) => f !== 'channel')
    })
    expect(checkSnapshots(contracts, required).lines.join('\n')).toContain('data.channel: FIELD_NEWLY_REQUIRED')
    const moved = withSnapshot('herald.payment.OrderPaymentFailed.v1', (s) => {
      s.dataschema = '/schemas/old/1'
    })
    expect(checkSnapshots(contracts, moved).lines.join('\n')).toContain('DATASCHEMA_CHANGED')
  })

  it('passes compatible changes: a loosened constraint, a removed description', () => {
    // As if the code had relaxed orderId from at least 5 characters to at least 1.
    const snapshots = withSnapshot('herald.catalog.OrderStockConfirmed.v1', (s) => {
      s.schema.properties.orderId.minLength = 5
      s.schema.description = 'old wording'
    })
    expect(checkSnapshots(contracts, snapshots)).toEqual({ ok: true, lines: [] })
  })

  it('fails for a removed contract version and for an unsnapshotted one', () => {
    const ghost = { ...committed()[0]!, type: 'herald.ordering.Ghost.v1' }
    expect(checkSnapshots(contracts, [...committed(), ghost]).lines).toContain(
      'herald.ordering.Ghost.v1: CONTRACT_REMOVED a published version is gone; consumers may still send or expect it',
    )
    const missing = committed().filter((s) => s.type !== 'herald.ordering.OrderShipped.v1')
    expect(checkSnapshots(contracts, missing).lines.join('\n')).toContain('herald.ordering.OrderShipped.v1: NOT_SNAPSHOTTED')
  })

  it('the script exits 1 and prints the finding for a broken snapshot directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'herald-contracts-'))
    cpSync(committedDir, dir, { recursive: true })
    const file = join(dir, 'herald.ordering.OrderShipped.v1.json')
    const snapshot = JSON.parse(readFileSync(file, 'utf8'))
    snapshot.schema.properties.trackingCode = { type: 'string' }
    snapshot.schema.required.push('trackingCode')
    writeFileSync(file, JSON.stringify(snapshot))
    const run = Bun.spawnSync([process.execPath, 'run', 'src/platform/cli.ts', 'contracts', 'check', '--from', 'src/contracts/index.ts', '--dir', dir], {
      cwd: root,
    })
    expect(run.exitCode).toBe(1)
    expect(run.stderr.toString()).toContain('herald.ordering.OrderShipped.v1 data.trackingCode: FIELD_REMOVED')
  })
})
