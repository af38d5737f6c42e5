import { AggregateRoot } from '../../../kernel/index.ts'
import { CardExpired } from './buyer.errors.ts'
import { buyerUpcasters } from './buyer.upcasters.ts'
import type { BuyerEvent, PaymentMethod } from './buyer.events.ts'

export interface BuyerState {
  readonly id: string
  readonly name: string
  readonly email: string
  /** The channel of the buyer's first order. */
  readonly channel: string
  readonly paymentMethods: readonly PaymentMethod[]
  /** Cents across paid orders. */
  readonly lifetimeSpend: number
  /** Percent off new orders once the loyalty threshold is crossed; 0 before. */
  readonly loyaltyDiscountPercent: number
  /** When the buyer's personal data was last erased (absent until then, so older rows still compare equal). */
  readonly personalDataErasedAt?: string
}

/** The seeds' rule: more than $6,000 of paid orders earns 10% off every later order. */
export const LOYALTY_THRESHOLD_CENTS = 600_000
export const LOYALTY_DISCOUNT_PERCENT = 10

export type CardDetails = Omit<PaymentMethod, 'id' | 'alias'>

/** A buyer and the payment methods on file (eShop's Buyer, verify-or-add). */
export class Buyer extends AggregateRoot<BuyerState, BuyerEvent> {
  static readonly type = 'Buyer'

  private constructor(id: string, state: BuyerState, version: number) {
    super(Buyer.type, id, state, version)
  }

  static register(buyerId: string, name: string, email: string, channel: string): Buyer {
    const buyer = new Buyer(buyerId, initial(buyerId), 0)
    buyer.record({ type: 'BuyerRegistered', data: { buyerId, name, email, channel } })
    return buyer
  }

  static fromState(state: BuyerState, version: number): Buyer {
    return new Buyer(state.id, state, version)
  }

  static fromHistory(id: string, events: readonly BuyerEvent[]): Buyer {
    const buyer = new Buyer(id, initial(id), 0)
    buyer.replay(events)
    return buyer
  }

  /**
   * Finds the card among the buyer's payment methods or adds it, and records the verification
   * for `orderId`. `today` is `YYYY-MM` from the command, so the domain never reads the clock.
   */
  verifyOrAddPaymentMethod(card: CardDetails, orderId: string, newPaymentMethodId: string, today: string): PaymentMethod {
    if (expiryMonth(card.expiration) < today) throw new CardExpired(card.expiration)
    const existing = this.state.paymentMethods.find((m) => sameCard(m, card))
    const paymentMethod = existing ?? { ...card, id: newPaymentMethodId, alias: `${cardTypeName(card.typeId)} ****${card.last4}` }
    this.record({
      type: 'BuyerAndPaymentMethodVerified',
      data: { buyerId: this.id, orderId, paymentMethod, added: existing === undefined },
    })
    return paymentMethod
  }

  recordPaidOrder(orderId: string, amount: number): void {
    this.record({
      type: 'BuyerSpendIncreased',
      data: { buyerId: this.id, orderId, amount, lifetimeSpend: this.state.lifetimeSpend + amount },
    })
    if (this.state.loyaltyDiscountPercent === 0 && this.state.lifetimeSpend > LOYALTY_THRESHOLD_CENTS) {
      this.record({
        type: 'BuyerQualifiedForLoyaltyDiscount',
        data: { buyerId: this.id, lifetimeSpend: this.state.lifetimeSpend, ratePercent: LOYALTY_DISCOUNT_PERCENT },
      })
    }
  }

  /**
   * Records the erasure of the buyer's personal data (the caller deletes their data key in the
   * same commit). Asked again it records again: each request deletes whatever key exists then
   * (a later order may have brought a new one).
   */
  erasePersonalData(erasedAt: string): void {
    this.record({ type: 'BuyerPersonalDataErased', data: { buyerId: this.id, erasedAt } })
  }

  protected override schemaVersionOf(type: BuyerEvent['type']): number {
    return buyerUpcasters.latestVersion(type)
  }

  protected evolve(state: BuyerState, event: BuyerEvent): BuyerState {
    switch (event.type) {
      case 'BuyerRegistered':
        return { ...state, name: event.data.name, email: event.data.email, channel: event.data.channel }
      case 'BuyerAndPaymentMethodVerified':
        return event.data.added ? { ...state, paymentMethods: [...state.paymentMethods, event.data.paymentMethod] } : state
      case 'BuyerSpendIncreased':
        return { ...state, lifetimeSpend: event.data.lifetimeSpend }
      case 'BuyerQualifiedForLoyaltyDiscount':
        return { ...state, loyaltyDiscountPercent: event.data.ratePercent }
      case 'BuyerPersonalDataErased':
        return { ...state, personalDataErasedAt: event.data.erasedAt }
      default:
        return unreachable(event)
    }
  }
}

function initial(id: string): BuyerState {
  return { id, name: '', email: '', channel: 'unknown', paymentMethods: [], lifetimeSpend: 0, loyaltyDiscountPercent: 0 }
}

function sameCard(method: PaymentMethod, card: CardDetails): boolean {
  return method.last4 === card.last4 && method.expiration === card.expiration && method.typeId === card.typeId && method.holderName === card.holderName
}

/** `MM/YY` → `20YY-MM`, comparable with the command's `YYYY-MM`. */
function expiryMonth(expiration: string): string {
  const [month, year] = expiration.split('/')
  return `20${year}-${month}`
}

function cardTypeName(typeId: number): string {
  return ['Card', 'Amex', 'Visa', 'MasterCard'][typeId] ?? 'Card'
}

function unreachable(event: never): never {
  throw new Error(`Unhandled buyer event ${JSON.stringify(event)}`)
}
