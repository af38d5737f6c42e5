import { OrderPaymentFailedV1, OrderPaymentSucceededV1, OrderStockConfirmedStatusV1 } from '../contracts/index.ts'
import { Subscriber } from '../kernel/index.ts'

/**
 * The deterministic card rule of the reference domain: a card ending in 0000 is declined.
 * A real gateway would sit behind this function.
 */
export function isDeclined(cardLast4: string): boolean {
  return cardLast4 === '0000'
}

const RECORD = `INSERT INTO payment_transactions (order_id, transaction_id, status, amount_cents, created_at)
  VALUES (?, ?, ?, ?, ?)`

/** The Payment context: charges an order once its stock is confirmed. */
export function createPayment() {
  const subscriber = new Subscriber('payment').on(
    OrderStockConfirmedStatusV1,
    function chargeWhenOrderStockConfirmed(event, { uow, now, newId, publish }) {
      const { orderId, totalCents, cardLast4 } = event.data
      const transactionId = newId()
      const declined = isDeclined(cardLast4)
      // The order id is the primary key: a second charge for one order cannot commit.
      uow.stage({ sql: RECORD, args: [orderId, transactionId, declined ? 'failed' : 'succeeded', totalCents, now] })
      const contract = declined ? OrderPaymentFailedV1 : OrderPaymentSucceededV1
      publish({
        source: contract.source,
        type: contract.name,
        version: contract.version,
        subject: orderId,
        data: declined ? { orderId, reason: 'card_declined' } : { orderId, transactionId, amountCents: totalCents },
      })
    },
  )
  return { subscriber }
}
