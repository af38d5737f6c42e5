import type { Database } from '../platform/store/database.ts'

/** What Notifications offers its routes: the dev mail sink. */
export function notificationsApi(database: Database) {
  return {
    async mailbox(buyerId?: string) {
      const { rows } = await database.client.execute({
        sql: `SELECT id, buyer_id, recipient, kind, subject, body, event_id, created_at FROM notifications_mailbox
          ${buyerId === undefined ? '' : 'WHERE buyer_id = ?'} ORDER BY created_at, id LIMIT 500`,
        args: buyerId === undefined ? [] : [buyerId],
      })
      return rows.map((r) => ({
        id: String(r.id),
        buyerId: String(r.buyer_id),
        to: String(r.recipient),
        kind: String(r.kind),
        subject: String(r.subject),
        body: String(r.body),
        eventId: String(r.event_id),
        createdAt: String(r.created_at),
      }))
    },
  }
}

export type Notifications = ReturnType<typeof notificationsApi>
