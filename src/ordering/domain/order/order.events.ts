import type { EventShape } from '../../../kernel/index.ts'

/** Money is integer cents inside the domain: no float drift in totals. */
export type Cents = number

export type OrderStatus = 'submitted' | 'awaiting_validation' | 'stock_confirmed' | 'paid' | 'shipped' | 'cancelled'

export interface OrderLine {
  readonly productId: string
  readonly productName: string
  readonly unitPrice: Cents
  readonly units: number
  readonly discount: Cents
}

export interface Address {
  readonly street: string
  readonly city: string
  readonly state: string
  readonly country: string
  readonly zipCode: string
}

/**
 * What the order keeps of the card. Deliberately not the full number or security code: the
 * event store is append-only and read by many, so it must never hold a PAN (eShop's event does).
 */
export interface CardSummary {
  readonly holderName: string
  readonly last4: string
  readonly expiration: string
  readonly typeId: number
}

export interface BuyerIdentity {
  readonly id: string
  readonly name: string
  readonly email: string
}

export type CancellationReason = 'requested' | 'stock_rejected' | 'payment_failed'

export type OrderStarted = EventShape<
  'OrderStarted',
  {
    readonly orderId: string
    readonly buyer: BuyerIdentity
    readonly address: Address
    readonly card: CardSummary
    readonly items: readonly OrderLine[]
    readonly startedAt: string
    /** Where the order came from (schema v2; v1 rows upcast to `"unknown"`). */
    readonly channel: string
  }
>
export type OrderBuyerAssigned = EventShape<'OrderBuyerAssigned', { readonly buyerId: string; readonly paymentMethodId: string }>
export type OrderLoyaltyDiscountApplied = EventShape<'OrderLoyaltyDiscountApplied', { readonly ratePercent: number; readonly discount: Cents }>
export type OrderStatusChangedToAwaitingValidation = EventShape<'OrderStatusChangedToAwaitingValidation', { readonly orderId: string }>
export type OrderStatusChangedToStockConfirmed = EventShape<'OrderStatusChangedToStockConfirmed', { readonly orderId: string }>
export type OrderStatusChangedToPaid = EventShape<'OrderStatusChangedToPaid', { readonly orderId: string }>
export type OrderShipped = EventShape<'OrderShipped', { readonly orderId: string }>
export type OrderCancelled = EventShape<
  'OrderCancelled',
  {
    readonly orderId: string
    readonly reason: CancellationReason
    readonly previousStatus: OrderStatus
    /** Products the catalog could not supply, when the reason is `stock_rejected`. */
    readonly rejectedProductIds: readonly string[]
  }
>

export type OrderEvent =
  | OrderStarted
  | OrderBuyerAssigned
  | OrderLoyaltyDiscountApplied
  | OrderStatusChangedToAwaitingValidation
  | OrderStatusChangedToStockConfirmed
  | OrderStatusChangedToPaid
  | OrderShipped
  | OrderCancelled

// A record so the compiler fails when an event type is added to the union but not here.
const ORDER_EVENTS: Record<OrderEvent['type'], true> = {
  OrderStarted: true,
  OrderBuyerAssigned: true,
  OrderLoyaltyDiscountApplied: true,
  OrderStatusChangedToAwaitingValidation: true,
  OrderStatusChangedToStockConfirmed: true,
  OrderStatusChangedToPaid: true,
  OrderShipped: true,
  OrderCancelled: true,
}
/** Every event type an Order records (declared by the context module). */
export const orderEventTypes = Object.keys(ORDER_EVENTS) as OrderEvent['type'][]
