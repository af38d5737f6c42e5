import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'

/** One charge attempt per order (the primary key makes a second charge impossible). */
export const paymentTransactions = sqliteTable('payment_transactions', {
  orderId: text('order_id').primaryKey(),
  transactionId: text('transaction_id').notNull(),
  status: text('status', { enum: ['succeeded', 'failed'] }).notNull(),
  amountCents: integer('amount_cents').notNull(),
  createdAt: text('created_at').notNull(),
})
