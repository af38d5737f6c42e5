import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'

/** A member's return record. `returns` doubles as the row's version (every update adds one). */
export const members = sqliteTable('members', {
  id: text('id').primaryKey(),
  returns: integer('returns').notNull(),
  lateReturns: integer('late_returns').notNull(),
  unknownReturns: integer('unknown_returns').notNull(),
  suspendedAt: text('suspended_at'),
})

export const membersSchema = { members }
