import { describe, expect, it } from 'bun:test'
import { type IdempotencyStore, idempotent, type StoredResponse, type UnitOfWork } from '../../src/kernel/index.ts'

// The kernel's idempotency wrapper against an in-memory store; the SQL store is exercised over HTTP
// in test/ordering/commands.test.ts and test/security/auth.test.ts.
function memoryStore() {
  const rows = new Map<string, StoredResponse>()
  const store: IdempotencyStore = {
    find: async (key) => rows.get(key),
    record: (key, response) => {
      rows.set(key, response)
      return { sql: 'SELECT 1', args: [] }
    },
  }
  return { store, rows }
}

const uow = { now: '2026-12-03T00:00:00.000Z', stage: () => {} } as unknown as UnitOfWork

describe('idempotent', () => {
  it('scopes a key by the command: one key for two commands runs both', async () => {
    const { store, rows } = memoryStore()
    let runs = 0
    const request = { caller: 'user:alice', key: 'k-1', fingerprint: 'f' }
    const lend = await idempotent(store, { ...request, command: 'lendLoan' }, 200, async () => ++runs)(uow)
    const give = await idempotent(store, { ...request, command: 'returnLoan' }, 200, async () => ++runs)(uow)
    expect([lend.replayed, give.replayed, runs]).toEqual([false, false, 2])
    expect(rows.size).toBe(2)
  })

  it('replays the same command, caller and key, and refuses it with another body', async () => {
    const { store } = memoryStore()
    let runs = 0
    const request = { command: 'lendLoan', caller: 'user:alice', key: 'k-1', fingerprint: 'f' }
    await idempotent(store, request, 201, async () => ++runs)(uow)
    const again = await idempotent(store, request, 201, async () => ++runs)(uow)
    expect(again).toEqual({ status: 201, body: 1, replayed: true })
    await expect(idempotent(store, { ...request, fingerprint: 'other' }, 201, async () => ++runs)(uow)).rejects.toThrow(/different request body/)
    expect(runs).toBe(1)
  })
})
