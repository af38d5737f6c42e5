import { AggregateRoot } from '../../../kernel/index.ts'
import { InvalidOrder, InvalidOrderTransition } from './order.errors.ts'
import { orderUpcasters } from './order.upcasters.ts'
import type { Address, BuyerIdentity, CancellationReason, CardSummary, Cents, OrderEvent, OrderLine, OrderStarted, OrderStatus } from './order.events.ts'

export interface OrderState {
  readonly id: string
  readonly status: OrderStatus
  readonly buyer: BuyerIdentity
  readonly buyerId: string | null
  readonly paymentMethodId: string | null
  readonly address: Address
  readonly card: CardSummary
  readonly items: readonly OrderLine[]
  /** Sum of lines after line discounts, before the order discount. */
  readonly subtotal: Cents
  readonly discount: Cents
  readonly total: Cents
  readonly startedAt: string
}

/** Starting an order carries exactly what OrderStarted records. */
export type StartOrder = OrderStarted['data']

/** Who may move where: the order's status machine (submitted → awaiting validation → stock confirmed → paid → shipped; cancellable until paid) in one table. */
const cancellable: ReadonlySet<OrderStatus> = new Set(['submitted', 'awaiting_validation', 'stock_confirmed'])

/**
 * The Order aggregate. Every transition records exactly one past-tense event or throws
 * {@link InvalidOrderTransition}; an illegal move is never a silent no-op.
 */
export class Order extends AggregateRoot<OrderState, OrderEvent> {
  static readonly type = 'Order'

  private constructor(id: string, state: OrderState, version: number) {
    super(Order.type, id, state, version)
  }

  /** Starts a new order (status `submitted`). */
  static start(command: StartOrder): Order {
    if (command.items.length === 0) throw new InvalidOrder('ORDER.EMPTY', 'An order needs at least one item')
    for (const line of command.items) {
      if (line.discount > line.unitPrice * line.units) {
        throw new InvalidOrder('ORDER.DISCOUNT_TOO_HIGH', `The discount on ${line.productId} exceeds its line total`)
      }
    }
    const order = new Order(command.orderId, started(command), 0)
    order.record({ type: 'OrderStarted', data: { ...command } })
    return order
  }

  /** Rebuilds from stored state (the fast path) — the state replay would produce. */
  static fromState(state: OrderState, version: number): Order {
    return new Order(state.id, state, version)
  }

  /** Rebuilds from the event stream alone. */
  static fromHistory(id: string, events: readonly OrderEvent[]): Order {
    const first = events[0]
    if (first?.type !== 'OrderStarted') throw new Error(`Order ${id}'s stream must begin with OrderStarted`)
    const order = new Order(id, started(first.data), 0)
    order.replay(events)
    return order
  }

  assignBuyer(buyerId: string, paymentMethodId: string): void {
    this.#require(this.state.status === 'submitted' && this.state.buyerId === null, 'assigned a buyer')
    this.record({ type: 'OrderBuyerAssigned', data: { buyerId, paymentMethodId } })
  }

  applyLoyaltyDiscount(ratePercent: number): void {
    this.#require(this.state.status === 'submitted' && this.state.discount === 0, 'discounted')
    const discount = Math.round((this.state.subtotal * ratePercent) / 100)
    this.record({ type: 'OrderLoyaltyDiscountApplied', data: { ratePercent, discount } })
  }

  markAwaitingValidation(): void {
    this.#require(this.state.status === 'submitted', 'moved to awaiting validation')
    this.record({ type: 'OrderStatusChangedToAwaitingValidation', data: { orderId: this.id } })
  }

  confirmStock(): void {
    this.#require(this.state.status === 'awaiting_validation', 'stock-confirmed')
    this.record({ type: 'OrderStatusChangedToStockConfirmed', data: { orderId: this.id } })
  }

  rejectStock(rejectedProductIds: readonly string[]): void {
    this.#require(this.state.status === 'awaiting_validation', 'stock-rejected')
    this.#cancel('stock_rejected', rejectedProductIds)
  }

  markPaid(): void {
    this.#require(this.state.status === 'stock_confirmed', 'paid')
    this.record({ type: 'OrderStatusChangedToPaid', data: { orderId: this.id } })
  }

  failPayment(): void {
    this.#require(this.state.status === 'stock_confirmed', 'cancelled for a failed payment')
    this.#cancel('payment_failed', [])
  }

  ship(): void {
    this.#require(this.state.status === 'paid', 'shipped')
    this.record({ type: 'OrderShipped', data: { orderId: this.id } })
  }

  cancel(): void {
    this.#require(cancellable.has(this.state.status), 'cancelled')
    this.#cancel('requested', [])
  }

  #cancel(reason: CancellationReason, rejectedProductIds: readonly string[]): void {
    this.record({
      type: 'OrderCancelled',
      data: { orderId: this.id, reason, previousStatus: this.state.status, rejectedProductIds },
    })
  }

  #require(allowed: boolean, action: string): void {
    if (!allowed) throw new InvalidOrderTransition(this.id, this.state.status, action)
  }

  protected override schemaVersionOf(type: OrderEvent['type']): number {
    return orderUpcasters.latestVersion(type)
  }

  protected evolve(state: OrderState, event: OrderEvent): OrderState {
    switch (event.type) {
      case 'OrderStarted':
        return started(event.data)
      case 'OrderBuyerAssigned':
        return { ...state, buyerId: event.data.buyerId, paymentMethodId: event.data.paymentMethodId }
      case 'OrderLoyaltyDiscountApplied':
        return { ...state, discount: event.data.discount, total: state.subtotal - event.data.discount }
      case 'OrderStatusChangedToAwaitingValidation':
        return { ...state, status: 'awaiting_validation' }
      case 'OrderStatusChangedToStockConfirmed':
        return { ...state, status: 'stock_confirmed' }
      case 'OrderStatusChangedToPaid':
        return { ...state, status: 'paid' }
      case 'OrderShipped':
        return { ...state, status: 'shipped' }
      case 'OrderCancelled':
        return { ...state, status: 'cancelled' }
      default:
        return unreachable(event)
    }
  }
}

function started(data: OrderStarted['data']): OrderState {
  const subtotal = data.items.reduce((sum, line) => sum + line.unitPrice * line.units - line.discount, 0)
  return {
    id: data.orderId,
    status: 'submitted',
    buyer: data.buyer,
    buyerId: null,
    paymentMethodId: null,
    address: data.address,
    card: data.card,
    items: data.items,
    subtotal,
    discount: 0,
    total: subtotal,
    startedAt: data.startedAt,
  }
}

function unreachable(event: never): never {
  throw new Error(`Unhandled order event ${JSON.stringify(event)}`)
}
