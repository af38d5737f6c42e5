import { describe, expect, it } from 'bun:test'
import { z } from 'zod'
import { contracts } from '../../src/contracts/index.ts'
import { ContractRegistry, ContractViolation, defineContract, EventUpcasters } from '../../src/kernel/index.ts'

describe('EventUpcasters', () => {
  const upcasters = new EventUpcasters()
    .register('Renamed', 1, (v1: { n: number }) => ({ count: v1.n }))
    .register('Renamed', 2, (v2: { count: number }) => ({ ...v2, unit: 'pcs' }))

  it('walks the chain from the stored version to the latest', () => {
    expect(upcasters.upcast<{ type: string; schemaVersion: number; data: unknown }>({ type: 'Renamed', schemaVersion: 1, data: { n: 3 } })).toEqual({
      type: 'Renamed',
      schemaVersion: 3,
      data: { count: 3, unit: 'pcs' },
    })
    expect(upcasters.upcast<{ type: string; schemaVersion: number; data: unknown }>({ type: 'Renamed', schemaVersion: 2, data: { count: 1 } }).data).toEqual({
      count: 1,
      unit: 'pcs',
    })
  })

  it('leaves latest and unknown events alone, and knows the version to record at', () => {
    const latest = { type: 'Renamed', schemaVersion: 3, data: { count: 1, unit: 'kg' } }
    expect(upcasters.upcast(latest)).toBe(latest)
    expect(upcasters.latestVersion('Renamed')).toBe(3)
    expect(upcasters.latestVersion('Other')).toBe(1)
  })

  it('refuses two upcasters for one step', () => {
    expect(() => new EventUpcasters().register('X', 1, (d) => d).register('X', 1, (d) => d)).toThrow(/already/)
  })
})

describe('ContractRegistry', () => {
  it('reads a v1 BuyerRegistered as the latest shape, with channel "unknown"', () => {
    const read = contracts.read('herald.ordering.BuyerRegistered.v1', { buyerId: 'b', name: 'B', email: 'b@example.com' })
    expect(read.contract.version).toBe(2)
    expect(read.data).toEqual({ buyerId: 'b', name: 'B', email: 'b@example.com', channel: 'unknown' })
  })

  it('reads v2 as is, and refuses data that breaks its own version’s schema', () => {
    const v2 = { buyerId: 'b', name: 'B', email: 'b@example.com', channel: 'web' }
    expect(contracts.read('herald.ordering.BuyerRegistered.v2', v2).data).toEqual(v2)
    expect(() => contracts.read('herald.ordering.BuyerRegistered.v1', { buyerId: 'b' })).toThrow(ContractViolation)
    expect(() => contracts.read('herald.ordering.Nope.v1', {})).toThrow(/Unknown event type/)
    expect(() => contracts.read('not-a-herald-type', {})).toThrow(/Unknown event type/)
  })

  it('checks outgoing events against their contract', () => {
    expect(() => contracts.check({ source: 'ordering', type: 'OrderShipped', version: 1, data: { orderId: 'o' } })).toThrow(/buyerId/)
    expect(() => contracts.check({ source: 'ordering', type: 'OrderShipped', version: 9, data: {} })).toThrow(/No contract/)
  })

  it('requires an upcaster from v2 on, and refuses duplicates', () => {
    const v1 = defineContract({ source: 's', name: 'E', version: 1, description: '', schema: z.object({}) })
    expect(() => defineContract({ source: 's', name: 'E', version: 2, description: '', schema: z.object({}) })).toThrow(/upcaster/)
    expect(() => new ContractRegistry([v1, v1])).toThrow(/twice/)
  })
})
