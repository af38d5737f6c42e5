import {
  BuyerPersonalDataErasedV1,
  BuyerQualifiedForLoyaltyDiscountV1,
  BuyerRegisteredV2,
  ERASED_EMAIL,
  ERASED_NAME,
  OrderCancelledV1,
  OrderPaidV1,
  OrderShippedV1,
} from '../contracts/index.ts'
import { Subscriber } from '../kernel/index.ts'
import { defineContext } from '../platform/context.ts'
import type { Reaction, SubjectSummary } from '../platform/observability/timeline.ts'
import { type Database, parameters } from '../platform/store/database.ts'
import { secureDelete } from '../platform/store/erasure.ts'
import { type Mailer, mailboxMailer } from './mailer.ts'
import { type Notifications, notificationsApi } from './notifications.api.ts'
import * as notificationsSchema from './schema.ts'

const dollars = (cents: number) => `$${(cents / 100).toFixed(2)}`

/** An erased buyer's events name nobody to write to (Ordering sends the reserved address). */
const erasedRecipient = (mailer: Mailer): Mailer => ({
  send: (uow, mail) => (mail.to === ERASED_EMAIL ? undefined : mailer.send(uow, mail)),
})

function notificationsSubscriber(sender: Mailer) {
  const mailer = erasedRecipient(sender)
  return new Subscriber('notifications')
    .on(
      BuyerRegisteredV2,
      function welcomeBuyerWhenRegistered(event, { uow }) {
        const { buyerId, name, email, channel } = event.data
        mailer.send(uow, {
          buyerId,
          to: email,
          kind: 'welcome',
          subject: `Welcome, ${name}`,
          body: `Thanks for your first order (via ${channel}).`,
          eventId: event.id,
        })
      },
      { name: 'welcomeBuyerWhenRegistered' },
    )
    .on(
      OrderPaidV1,
      function emailBuyerWhenOrderPaid(event, { uow }) {
        const { buyerId, buyerEmail, orderId, totalCents } = event.data
        mailer.send(uow, {
          buyerId,
          to: buyerEmail,
          kind: 'order-paid',
          subject: `Order ${orderId} is paid`,
          body: `We received ${dollars(totalCents)}. Your order will ship soon.`,
          eventId: event.id,
        })
      },
      { name: 'emailBuyerWhenOrderPaid' },
    )
    .on(
      OrderCancelledV1,
      function emailBuyerWhenOrderCancelled(event, { uow }) {
        const { buyerId, buyerEmail, orderId, reason } = event.data
        mailer.send(uow, {
          buyerId,
          to: buyerEmail,
          kind: 'order-cancelled',
          subject: `Order ${orderId} was cancelled`,
          body: `Reason: ${reason.replace('_', ' ')}.`,
          eventId: event.id,
        })
      },
      { name: 'emailBuyerWhenOrderCancelled' },
    )
    .on(
      OrderShippedV1,
      function emailBuyerWhenOrderShipped(event, { uow }) {
        const { buyerId, buyerEmail, orderId } = event.data
        mailer.send(uow, { buyerId, to: buyerEmail, kind: 'order-shipped', subject: `Order ${orderId} shipped`, body: 'On its way.', eventId: event.id })
      },
      { name: 'emailBuyerWhenOrderShipped' },
    )
    .on(
      BuyerQualifiedForLoyaltyDiscountV1,
      function emailBuyerWhenQualifiedForDiscount(event, { uow }) {
        const { buyerId, email, name, ratePercent, lifetimeSpendCents } = event.data
        mailer.send(uow, {
          buyerId,
          to: email,
          kind: 'loyalty-discount',
          subject: `${name}, you now get ${ratePercent}% off`,
          body: `Your orders passed ${dollars(lifetimeSpendCents)}: every new order gets ${ratePercent}% off.`,
          eventId: event.id,
        })
      },
      { name: 'emailBuyerWhenQualifiedForDiscount' },
    )
    .on(
      BuyerPersonalDataErasedV1,
      function eraseMailsWhenBuyerPersonalDataErased(event, { uow }) {
        // The mails were sent to, and name, the buyer: what they said goes too. `secureDelete`
        // zeroes the old bytes the rewrite frees and has the file scrubbed (VACUUM, WAL truncated)
        // before this delivery is answered.
        uow.stage(secureDelete, {
          sql: 'UPDATE notifications_mailbox SET recipient = ?, subject = ?, body = ? WHERE buyer_id = ?',
          args: [ERASED_NAME, ERASED_NAME, ERASED_NAME, event.data.buyerId],
        })
      },
      { name: 'eraseMailsWhenBuyerPersonalDataErased' },
    )
}

/** The mails a delivery caused, as the dashboard's reactions (read by the subject's owner: the buyer). */
function mailsCausedBy(database: Database) {
  return async (messageIds: readonly string[], subject: SubjectSummary): Promise<Reaction[]> => {
    if (!subject.owner) return []
    const { rows } = await database.client.execute({
      sql: `SELECT id, kind, recipient, subject, event_id, created_at, commit_id FROM notifications_mailbox
        WHERE buyer_id = ? AND event_id IN (${parameters(messageIds)}) ORDER BY created_at`,
      args: [subject.owner.id, ...messageIds],
    })
    return rows.map((r) => ({
      id: String(r.id),
      kind: String(r.kind),
      label: String(r.subject),
      detail: `mail to ${String(r.recipient)}`,
      eventId: String(r.event_id),
      at: String(r.created_at),
      commitId: r.commit_id == null ? null : String(r.commit_id),
    }))
  }
}

/** The Notifications context: tells buyers what happened to their orders. */
export const notifications = (options: { mailer?: Mailer } = {}) =>
  defineContext<Notifications>({
    name: 'notifications',
    schema: notificationsSchema,
    migrations: () => new URL('../../drizzle/notifications', import.meta.url),
    consumes: [BuyerRegisteredV2, OrderPaidV1, OrderCancelledV1, OrderShippedV1, BuyerQualifiedForLoyaltyDiscountV1, BuyerPersonalDataErasedV1],
    setup({ database, newId }) {
      const api = notificationsApi(database)
      return {
        api,
        subscriber: notificationsSubscriber(options.mailer ?? mailboxMailer(newId)),
        dashboard: { reactions: mailsCausedBy(database) },
      }
    },
  })

export type { Notifications } from './notifications.api.ts'
