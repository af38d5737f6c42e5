import { z } from 'zod'
import { defineContract } from '../kernel/index.ts'

const source = 'payment'

export const OrderPaymentSucceededV1 = defineContract({
  source,
  name: 'OrderPaymentSucceeded',
  version: 1,
  description: 'The card was charged.',
  schema: z.object({ orderId: z.string().min(1), transactionId: z.string().min(1), amountCents: z.int().nonnegative() }),
})

export const OrderPaymentFailedV1 = defineContract({
  source,
  name: 'OrderPaymentFailed',
  version: 1,
  description: 'The card was declined.',
  schema: z.object({ orderId: z.string().min(1), reason: z.string() }),
})

export const OrderPaymentRefundedV1 = defineContract({
  source,
  name: 'OrderPaymentRefunded',
  version: 1,
  description: 'The order was cancelled after its card was charged; the charge was refunded.',
  schema: z.object({ orderId: z.string().min(1), transactionId: z.string().min(1), amountCents: z.int().nonnegative() }),
})

export const paymentContracts = [OrderPaymentSucceededV1, OrderPaymentFailedV1, OrderPaymentRefundedV1]
