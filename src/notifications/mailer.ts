import type { UnitOfWork } from '../kernel/index.ts'

export interface Mail {
  readonly buyerId: string
  readonly to: string
  readonly kind: string
  readonly subject: string
  readonly body: string
  /** The integration event that caused the mail (for tracing and dedupe). */
  readonly eventId: string
}

/**
 * Where notifications go. The dev sink writes to the mailbox table in the delivery's commit.
 * A real provider should stage an after-commit job instead of calling out mid-transaction.
 */
export interface Mailer {
  send(uow: UnitOfWork, mail: Mail): void
}

export function mailboxMailer(newId: () => string): Mailer {
  return {
    send(uow, mail) {
      uow.stage({
        sql: `INSERT INTO notifications_mailbox (id, buyer_id, recipient, kind, subject, body, event_id, created_at, commit_id)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        args: [newId(), mail.buyerId, mail.to, mail.kind, mail.subject, mail.body, mail.eventId, uow.now, uow.commitId],
      })
    },
  }
}
