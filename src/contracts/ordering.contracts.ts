import { z } from 'zod'
import { defineContract } from '../kernel/index.ts'

// Integration events published by Ordering: public contracts. Never change one in place;
// add a new major version with an upcaster instead (see README "Changing an event contract").

const source = 'ordering'
const id = z.string().min(1).max(100)
const line = z.object({ productId: id, units: z.int().positive() })

export const OrderAwaitingValidationV1 = defineContract({
  source,
  name: 'OrderStatusChangedToAwaitingValidation',
  version: 1,
  description: 'The grace period ended; the order waits for the catalog to confirm stock.',
  schema: z.object({ orderId: id, buyerId: id, items: z.array(line).min(1) }),
})

export const OrderStockConfirmedStatusV1 = defineContract({
  source,
  name: 'OrderStatusChangedToStockConfirmed',
  version: 1,
  description: 'Stock is confirmed; the order waits for payment.',
  schema: z.object({
    orderId: id,
    buyerId: id,
    totalCents: z.int().nonnegative(),
    cardLast4: z.string().regex(/^\d{4}$/),
  }),
})

export const OrderPaidV1 = defineContract({
  source,
  name: 'OrderStatusChangedToPaid',
  version: 1,
  description: 'Payment succeeded: stock is removed, the buyer is notified.',
  schema: z.object({
    orderId: id,
    buyerId: id,
    buyerName: z.string(),
    buyerEmail: z.email(),
    totalCents: z.int().nonnegative(),
    items: z.array(line).min(1),
  }),
})

export const OrderCancelledV1 = defineContract({
  source,
  name: 'OrderCancelled',
  version: 1,
  description: 'The order was cancelled by the buyer, for missing stock, or for a failed payment.',
  schema: z.object({
    orderId: id,
    buyerId: id,
    buyerEmail: z.email(),
    reason: z.enum(['requested', 'stock_rejected', 'payment_failed']),
    previousStatus: z.string(),
  }),
})

export const OrderShippedV1 = defineContract({
  source,
  name: 'OrderShipped',
  version: 1,
  description: 'The order left the warehouse.',
  schema: z.object({ orderId: id, buyerId: id, buyerEmail: z.email() }),
})

export const BuyerRegisteredV1 = defineContract({
  source,
  name: 'BuyerRegistered',
  version: 1,
  description: 'A user became a buyer with their first order.',
  schema: z.object({ buyerId: id, name: z.string(), email: z.email() }),
})

/** v2 adds the channel the buyer came through; v1 deliveries upcast to `"unknown"`. */
export const BuyerRegisteredV2 = defineContract<{ buyerId: string; name: string; email: string; channel: string }, z.infer<typeof BuyerRegisteredV1.schema>>({
  source,
  name: 'BuyerRegistered',
  version: 2,
  description: 'A user became a buyer with their first order, and through which channel.',
  schema: z.object({ buyerId: id, name: z.string(), email: z.email(), channel: z.string().min(1).max(50) }),
  upcast: (v1) => ({ ...v1, channel: 'unknown' }),
})

export const BuyerQualifiedForLoyaltyDiscountV1 = defineContract({
  source,
  name: 'BuyerQualifiedForLoyaltyDiscount',
  version: 1,
  description: "The buyer's paid orders passed $6,000: every later order gets the discount.",
  schema: z.object({
    buyerId: id,
    name: z.string(),
    email: z.email(),
    ratePercent: z.int().min(1).max(100),
    lifetimeSpendCents: z.int().nonnegative(),
  }),
})

/**
 * What an erased buyer's name and email read as in events published after the erasure (or still
 * pending when it happened): the contracts stay valid, and a subscriber can tell there is nobody
 * to write to. `.invalid` is reserved (RFC 2606): mail to it goes nowhere.
 */
export const ERASED_NAME = '[erased]'
export const ERASED_EMAIL = 'erased@erased.invalid'

export const BuyerPersonalDataErasedV1 = defineContract({
  source,
  name: 'BuyerPersonalDataErased',
  version: 1,
  description:
    "The buyer's personal data was erased here (crypto-shredded): erase what you keep of it (name, email, address). Events about them published later carry none.",
  schema: z.object({ buyerId: id, erasedAt: z.iso.datetime() }),
})

export const orderingContracts = [
  OrderAwaitingValidationV1,
  OrderStockConfirmedStatusV1,
  OrderPaidV1,
  OrderCancelledV1,
  OrderShippedV1,
  BuyerRegisteredV1,
  BuyerRegisteredV2,
  BuyerQualifiedForLoyaltyDiscountV1,
  BuyerPersonalDataErasedV1,
]
