import type { EventShape } from '../../../kernel/index.ts'

export interface PaymentMethod {
  readonly id: string
  readonly alias: string
  readonly holderName: string
  readonly last4: string
  readonly expiration: string
  readonly typeId: number
}

export type BuyerRegistered = EventShape<
  'BuyerRegistered',
  { readonly buyerId: string; readonly name: string; readonly email: string; readonly channel: string }
>
/** Recorded for every order start: the buyer's card was found on file, or added (`added`). */
export type BuyerAndPaymentMethodVerified = EventShape<
  'BuyerAndPaymentMethodVerified',
  { readonly buyerId: string; readonly orderId: string; readonly paymentMethod: PaymentMethod; readonly added: boolean }
>
export type BuyerSpendIncreased = EventShape<
  'BuyerSpendIncreased',
  { readonly buyerId: string; readonly orderId: string; readonly amount: number; readonly lifetimeSpend: number }
>
/** The $6,000 rule crossed: every later order gets the loyalty discount. Recorded once. */
export type BuyerQualifiedForLoyaltyDiscount = EventShape<
  'BuyerQualifiedForLoyaltyDiscount',
  { readonly buyerId: string; readonly lifetimeSpend: number; readonly ratePercent: number }
>

/**
 * The buyer's data key was deleted: every sealed copy of their name, email, address and card
 * holder name (in this stream, their orders' streams and rows) reads `"[erased]"` from now on.
 */
export type BuyerPersonalDataErased = EventShape<'BuyerPersonalDataErased', { readonly buyerId: string; readonly erasedAt: string }>

export type BuyerEvent = BuyerRegistered | BuyerAndPaymentMethodVerified | BuyerSpendIncreased | BuyerQualifiedForLoyaltyDiscount | BuyerPersonalDataErased

// A record so the compiler fails when an event type is added to the union but not here.
const BUYER_EVENTS: Record<BuyerEvent['type'], true> = {
  BuyerRegistered: true,
  BuyerAndPaymentMethodVerified: true,
  BuyerSpendIncreased: true,
  BuyerQualifiedForLoyaltyDiscount: true,
  BuyerPersonalDataErased: true,
}
/** Every event type a Buyer records (declared by the context module). */
export const buyerEventTypes = Object.keys(BUYER_EVENTS) as BuyerEvent['type'][]
