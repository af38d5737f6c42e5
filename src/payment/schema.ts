import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'

/**
 * One charge attempt per order (the primary key makes a second charge impossible). `voided`: the
 * order was cancelled before Payment charged it, so it never will; `refunded`: cancelled after.
 */
export const paymentTransactions = sqliteTable('payment_transactions', {
  orderId: text('order_id').primaryKey(),
  transactionId: text('transaction_id').notNull(),
  status: text('status', { enum: ['succeeded', 'failed', 'voided', 'refunded'] }).notNull(),
  amountCents: integer('amount_cents').notNull(),
  createdAt: text('created_at').notNull(),
})
