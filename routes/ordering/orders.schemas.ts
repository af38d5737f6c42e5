import { z } from '@hono/zod-openapi'

const text = (max: number) => z.string().trim().min(1).max(max)

/** Dollars with at most two decimals; converted to integer cents for the domain. */
const money = z
  .number()
  .nonnegative()
  .max(1_000_000)
  .refine((n) => Number.isInteger(Math.round(n * 100)) && Math.abs(n * 100 - Math.round(n * 100)) < 1e-6, {
    message: 'At most two decimal places',
  })

export const StartOrderBody = z
  .strictObject({
    buyer: z.strictObject({ id: text(100), name: text(200), email: z.email().max(254) }),
    address: z.strictObject({
      street: text(200),
      city: text(100),
      state: text(100),
      country: text(100),
      zipCode: text(20),
    }),
    card: z.strictObject({
      number: z.string().regex(/^\d{12,19}$/, 'Card number must be 12–19 digits'),
      holderName: text(200),
      expiration: z.string().regex(/^(0[1-9]|1[0-2])\/\d{2}$/, 'Expiration must be MM/YY'),
      securityNumber: z.string().regex(/^\d{3,4}$/, 'Security number must be 3–4 digits'),
      typeId: z.int().min(1).max(3),
    }),
    items: z
      .array(
        z.strictObject({
          productId: text(100),
          productName: text(200),
          unitPrice: money.refine((n) => n > 0, { message: 'Must be positive' }),
          units: z.int().min(1).max(10_000),
          discount: money.optional(),
        }),
      )
      .min(1)
      .max(100),
  })
  .openapi('StartOrder', {
    example: {
      buyer: { id: 'alice', name: 'Alice', email: 'alice@example.com' },
      address: { street: '1 Main St', city: 'Springfield', state: 'IL', country: 'US', zipCode: '62701' },
      card: { number: '4111111111111111', holderName: 'Alice', expiration: '12/30', securityNumber: '123', typeId: 2 },
      items: [{ productId: 'mug', productName: 'Herald mug', unitPrice: 12.5, units: 2 }],
    },
  })

export type StartOrderBody = z.infer<typeof StartOrderBody>

export const StartOrderHeaders = z.object({
  'idempotency-key': z
    .string()
    .regex(/^[\x21-\x7e]{1,255}$/, 'Idempotency-Key must be 1–255 visible ASCII characters')
    .optional()
    .openapi({ param: { name: 'idempotency-key', in: 'header' }, description: 'Idempotency-Key: replays return the first response' }),
})

export const OrderIdParam = z.object({ id: text(100).openapi({ param: { name: 'id', in: 'path' } }) })

export const StartedOrderSchema = z.object({ orderId: z.string(), status: z.string() }).openapi('StartedOrder')

export const OrderSchema = z
  .object({
    orderId: z.string(),
    status: z.enum(['submitted', 'awaiting_validation', 'stock_confirmed', 'paid', 'shipped', 'cancelled']),
    buyerId: z.string(),
    paymentMethodId: z.string().nullable(),
    items: z.array(z.object({ productId: z.string(), productName: z.string(), unitPrice: z.number(), units: z.int(), discount: z.number() })),
    address: z.object({ street: z.string(), city: z.string(), state: z.string(), country: z.string(), zipCode: z.string() }),
    subtotal: z.number(),
    discount: z.number(),
    total: z.number(),
    startedAt: z.string(),
    version: z.int(),
  })
  .openapi('Order')

export const TransitionResultSchema = z.object({ orderId: z.string(), status: z.string(), version: z.int() }).openapi('OrderTransition')

export const ListOrdersQuery = z.object({
  buyerId: text(100).optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
})
