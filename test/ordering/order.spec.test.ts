import { describe, expect, it } from 'bun:test'
import { aggregateSpec } from '../../src/kernel/testing.ts'
import { Buyer } from '../../src/ordering/domain/buyer/buyer.ts'
import { Order } from '../../src/ordering/domain/order/order.ts'
import type { OrderEvent, OrderStarted } from '../../src/ordering/domain/order/order.events.ts'

const started: OrderStarted = {
  type: 'OrderStarted',
  data: {
    orderId: 'o-1',
    buyer: { id: 'alice', name: 'Alice', email: 'a@example.com' },
    address: { street: 's', city: 'c', state: 'st', country: 'US', zipCode: 'z' },
    card: { holderName: 'Alice', last4: '1111', expiration: '12/30', typeId: 2 },
    items: [{ productId: 'p', productName: 'P', unitPrice: 1000, units: 3, discount: 500 }],
    startedAt: '2026-01-01T00:00:00.000Z',
    channel: 'api',
  },
}
const awaiting: OrderEvent = { type: 'OrderStatusChangedToAwaitingValidation', data: { orderId: 'o-1' } }
const confirmed: OrderEvent = { type: 'OrderStatusChangedToStockConfirmed', data: { orderId: 'o-1' } }
const paid: OrderEvent = { type: 'OrderStatusChangedToPaid', data: { orderId: 'o-1' } }
const shipped: OrderEvent = { type: 'OrderShipped', data: { orderId: 'o-1' } }
const cancelled = (previousStatus: string, reason = 'requested', rejectedProductIds: string[] = []) => ({
  type: 'OrderCancelled',
  data: { orderId: 'o-1', reason, previousStatus, rejectedProductIds },
})

const spec = aggregateSpec<Order, OrderEvent>((events) => (events.length ? Order.fromHistory('o-1', events) : undefined))

describe('Order', () => {
  describe('when started', () => {
    it('records OrderStarted with totals computed from the lines', () => {
      const order = spec
        .given([])
        .when(() => Order.start(started.data))
        .then([started])
      expect(order.state).toMatchObject({ status: 'submitted', subtotal: 2500, total: 2500 })
    })
    it('refuses an order without items', () => {
      spec
        .given([])
        .when(() => Order.start({ ...started.data, items: [] }))
        .thenThrows('ORDER.EMPTY')
    })
    it('refuses a line discount above the line total', () => {
      const items = [{ productId: 'p', productName: 'P', unitPrice: 100, units: 1, discount: 101 }]
      spec
        .given([])
        .when(() => Order.start({ ...started.data, items }))
        .thenThrows('ORDER.DISCOUNT_TOO_HIGH')
    })
  })

  describe('when submitted', () => {
    it('moves to awaiting validation', () => {
      spec
        .given([started])
        .when((o) => o!.markAwaitingValidation())
        .then([awaiting])
    })
    it('can be cancelled', () => {
      spec
        .given([started])
        .when((o) => o!.cancel())
        .then([cancelled('submitted')])
    })
    it('cannot be shipped', () => {
      spec
        .given([started])
        .when((o) => o!.ship())
        .thenThrows('ORDER.INVALID_TRANSITION')
    })
    it('cannot be paid before stock is confirmed', () => {
      spec
        .given([started])
        .when((o) => o!.markPaid())
        .thenThrows('ORDER.INVALID_TRANSITION')
    })
    it('takes a loyalty discount once', () => {
      const order = spec
        .given([started])
        .when((o) => o!.applyLoyaltyDiscount(10))
        .then([{ type: 'OrderLoyaltyDiscountApplied', data: { ratePercent: 10, discount: 250 } }])
      expect(order.state.total).toBe(2250)
      expect(() => order.applyLoyaltyDiscount(10)).toThrow()
    })
  })

  describe('when awaiting validation', () => {
    it('confirms stock', () => {
      spec
        .given([started, awaiting])
        .when((o) => o!.confirmStock())
        .then([confirmed])
    })
    it('is cancelled with the short items when stock is rejected', () => {
      spec
        .given([started, awaiting])
        .when((o) => o!.rejectStock(['p']))
        .then([cancelled('awaiting_validation', 'stock_rejected', ['p'])])
    })
  })

  describe('when stock confirmed', () => {
    it('is paid', () => {
      spec
        .given([started, awaiting, confirmed])
        .when((o) => o!.markPaid())
        .then([paid])
    })
    it('is cancelled when payment fails', () => {
      spec
        .given([started, awaiting, confirmed])
        .when((o) => o!.failPayment())
        .then([cancelled('stock_confirmed', 'payment_failed')])
    })
  })

  describe('when paid', () => {
    it('ships', () => {
      spec
        .given([started, awaiting, confirmed, paid])
        .when((o) => o!.ship())
        .then([shipped])
    })
    it('refuses cancellation', () => {
      spec
        .given([started, awaiting, confirmed, paid])
        .when((o) => o!.cancel())
        .thenThrows('ORDER.INVALID_TRANSITION')
    })
  })

  describe('when shipped or cancelled', () => {
    it('refuses every further transition', () => {
      for (const history of [
        [started, awaiting, confirmed, paid, shipped],
        [started, cancelled('submitted')],
      ] as OrderEvent[][]) {
        for (const act of ['cancel', 'ship', 'markPaid', 'confirmStock', 'markAwaitingValidation'] as const) {
          spec
            .given(history)
            .when((o) => o![act]())
            .thenThrows('ORDER.INVALID_TRANSITION')
        }
      }
    })
  })
})

describe('Buyer', () => {
  const card = { holderName: 'Alice', last4: '1111', expiration: '12/30', typeId: 2 }
  it('adds an unknown card, then finds it on file', () => {
    const buyer = Buyer.register('alice', 'Alice', 'a@example.com', 'api')
    const first = buyer.verifyOrAddPaymentMethod(card, 'o-1', 'pm-1', '2026-01')
    const second = buyer.verifyOrAddPaymentMethod(card, 'o-2', 'pm-2', '2026-01')
    expect(second.id).toBe(first.id)
    expect(buyer.state.paymentMethods).toHaveLength(1)
    expect(buyer.pullEvents().map((e) => e.type)).toEqual(['BuyerRegistered', 'BuyerAndPaymentMethodVerified', 'BuyerAndPaymentMethodVerified'])
  })
  it('refuses an expired card', () => {
    const buyer = Buyer.register('alice', 'Alice', 'a@example.com', 'api')
    expect(() => buyer.verifyOrAddPaymentMethod({ ...card, expiration: '12/25' }, 'o', 'pm', '2026-01')).toThrow(/expired/)
  })
})
