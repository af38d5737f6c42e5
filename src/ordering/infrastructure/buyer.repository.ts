import { eq } from 'drizzle-orm'
import { buyers, type OrderingDb } from './schema.ts'
import type { Repository, Statement } from '../../kernel/index.ts'
import { expectChangedRow } from '../../platform/store/database.ts'
import { Buyer, type BuyerState } from '../domain/buyer/buyer.ts'

export function buyerRepository(db: OrderingDb): Repository<Buyer> {
  return {
    aggregateType: Buyer.type,
    async load(id) {
      const [row] = await db.select({ state: buyers.state, version: buyers.version }).from(buyers).where(eq(buyers.id, id))
      return row ? Buyer.fromState(JSON.parse(row.state) as BuyerState, row.version) : undefined
    },
    save(buyer, loadedVersion): Statement[] {
      const state = JSON.stringify(buyer.state)
      return loadedVersion === 0
        ? [{ sql: 'INSERT INTO ordering_buyers (id, version, state) VALUES (?, ?, ?)', args: [buyer.id, buyer.version, state] }]
        : [
            {
              sql: 'UPDATE ordering_buyers SET version = ?, state = ? WHERE id = ? AND version = ?',
              args: [buyer.version, state, buyer.id, loadedVersion],
            },
            expectChangedRow,
          ]
    },
  }
}
