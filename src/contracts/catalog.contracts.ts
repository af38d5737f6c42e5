import { z } from 'zod'
import { defineContract } from '../kernel/index.ts'

const source = 'catalog'

export const OrderStockConfirmedV1 = defineContract({
  source,
  name: 'OrderStockConfirmed',
  version: 1,
  description: 'Every item of the order is in stock and reserved for it.',
  schema: z.object({ orderId: z.string().min(1) }),
})

export const OrderStockRejectedV1 = defineContract({
  source,
  name: 'OrderStockRejected',
  version: 1,
  description: 'Some items are short; nothing was reserved.',
  schema: z.object({
    orderId: z.string().min(1),
    rejectedItems: z.array(z.object({ productId: z.string(), requested: z.int().positive(), available: z.int().nonnegative() })).min(1),
  }),
})

export const catalogContracts = [OrderStockConfirmedV1, OrderStockRejectedV1]
