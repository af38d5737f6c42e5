import { index, sqliteTable, text } from 'drizzle-orm/sqlite-core'

/** The dev mail sink: what a real email provider would have sent. */
export const mailbox = sqliteTable(
  'notifications_mailbox',
  {
    id: text('id').primaryKey(),
    buyerId: text('buyer_id').notNull(),
    recipient: text('recipient').notNull(),
    kind: text('kind').notNull(),
    subject: text('subject').notNull(),
    body: text('body').notNull(),
    eventId: text('event_id').notNull(),
    createdAt: text('created_at').notNull(),
    /** The delivery's commit, for the dashboard's causation view. */
    commitId: text('commit_id'),
  },
  (t) => [index('notifications_mailbox_buyer').on(t.buyerId, t.createdAt)],
)
