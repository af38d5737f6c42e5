import type { LibSQLDatabase } from 'drizzle-orm/libsql'
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'

export const orders = sqliteTable(
  'ordering_orders',
  {
    id: text('id').primaryKey(),
    buyerId: text('buyer_id').notNull(),
    status: text('status').notNull(),
    total: integer('total').notNull(),
    version: integer('version').notNull(),
    state: text('state').notNull(),
    startedAt: text('started_at').notNull(),
  },
  (t) => [index('ordering_orders_buyer').on(t.buyerId, t.startedAt), index('ordering_orders_started').on(t.startedAt)],
)

export const buyers = sqliteTable('ordering_buyers', {
  id: text('id').primaryKey(),
  version: integer('version').notNull(),
  state: text('state').notNull(),
})

/** Ordering's tables only: its repositories and queries cannot reach another context's. */
export const orderingSchema = { orders, buyers }
export type OrderingDb = LibSQLDatabase<typeof orderingSchema>
