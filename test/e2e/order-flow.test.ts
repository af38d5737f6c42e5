import { afterEach, describe, expect, it } from 'bun:test'
import { orderBody } from '../support/herald.ts'
import { type Stack, startStack } from '../support/stack.ts'
import { waitFor } from '../support/wait-for.ts'

// End to end: service and local broker over real HTTP on loopback, real QStash SDK both ways.

let stack: Stack
afterEach(async () => stack?.stop())

const stockOf = async (productId: string) =>
  (await stack.json<{ id: string; stock: number; reserved: number }[]>('/catalog/items')).find((i) => i.id === productId)!

const mails = (buyerId: string) => stack.json<{ kind: string; subject: string; eventId: string }[]>(`/notifications?buyerId=${buyerId}`)

describe('the order flow', () => {
  it('takes an order through every context to paid: stock removed once, buyer mailed', async () => {
    stack = await startStack()
    const before = await stockOf('mug')
    const orderId = await stack.placeOrder()
    const order = await stack.orderReaches(orderId, 'paid')
    expect(order.total).toBe(40)

    await waitFor(async () => (await stockOf('mug')).stock === before.stock - 2, { what: 'mug stock removed' })
    expect((await stockOf('mug')).reserved).toBe(0)
    const kinds = await waitFor(async () => {
      const k = (await mails('alice')).map((m) => m.kind)
      return k.includes('order-paid') && k.includes('welcome') ? k : undefined
    })
    expect(kinds.filter((k) => k === 'order-paid')).toHaveLength(1)

    const types = (await stack.json<{ type: string }[]>(`/orders/${orderId}/events`)).map((e) => e.type)
    expect(types).toEqual([
      'OrderStarted',
      'OrderBuyerAssigned',
      'OrderStatusChangedToAwaitingValidation',
      'OrderStatusChangedToStockConfirmed',
      'OrderStatusChangedToPaid',
    ])
    const ship = await fetch(`${stack.publicUrl}/orders/${orderId}/ship`, { method: 'POST' })
    expect(ship.status).toBe(200)
    await waitFor(async () => (await mails('alice')).some((m) => m.kind === 'order-shipped'), { what: 'shipping mail' })
  })

  it('cancels the order when stock is short, and mails the buyer', async () => {
    stack = await startStack()
    const body = orderBody({ items: [{ productId: 'limited-print', productName: 'Print', unitPrice: 250, units: 5 }] })
    const orderId = await stack.placeOrder(body)
    await stack.orderReaches(orderId, 'cancelled')
    const events = await stack.json<{ type: string; data: any }[]>(`/orders/${orderId}/events`)
    expect(events.at(-1)).toMatchObject({ type: 'OrderCancelled', data: { reason: 'stock_rejected', rejectedProductIds: ['limited-print'] } })
    expect((await stockOf('limited-print')).reserved).toBe(0)
    await waitFor(async () => (await mails('alice')).some((m) => m.kind === 'order-cancelled'), { what: 'cancellation mail' })
  })

  it('cancels the order when the card is declined and releases the reserved stock', async () => {
    stack = await startStack()
    const before = await stockOf('mug')
    const body = orderBody({ card: { ...orderBody().card, number: '4111111111110000' } })
    const orderId = await stack.placeOrder(body)
    await stack.orderReaches(orderId, 'cancelled')
    const events = await stack.json<{ type: string; data: any }[]>(`/orders/${orderId}/events`)
    expect(events.at(-1)).toMatchObject({ type: 'OrderCancelled', data: { reason: 'payment_failed' } })
    await waitFor(async () => (await stockOf('mug')).reserved === 0, { what: 'reservation released' })
    expect((await stockOf('mug')).stock).toBe(before.stock)
  })

  it('applies the $6,000 rule: 10% off every later order, and exactly one email about it', async () => {
    stack = await startStack()
    const big = orderBody({ items: [{ productId: 'keyboard', productName: 'Keyboard', unitPrice: 3100, units: 2 }] })
    const first = await stack.placeOrder(big)
    const paid = await stack.orderReaches(first, 'paid')
    expect(paid.discount).toBe(0)
    await waitFor(async () => (await mails('alice')).some((m) => m.kind === 'loyalty-discount'), { what: 'discount mail' })

    const second = await stack.placeOrder()
    const discounted = await stack.orderReaches(second, 'paid')
    expect(discounted).toMatchObject({ subtotal: 40, discount: 4, total: 36 })
    const third = await stack.placeOrder()
    await stack.orderReaches(third, 'paid')
    await waitFor(async () => (await mails('alice')).filter((m) => m.kind === 'order-paid').length === 3, { what: 'three paid mails' })
    expect((await mails('alice')).filter((m) => m.kind === 'loyalty-discount')).toHaveLength(1)
  })

  it('waits out the grace period with a delayed message, and a cancel during it wins', async () => {
    stack = await startStack({ gracePeriodMs: 1500 })
    const cancelled = await stack.placeOrder()
    const kept = await stack.placeOrder()
    expect((await fetch(`${stack.publicUrl}/orders/${cancelled}/cancel`, { method: 'POST' })).status).toBe(200)
    expect((await stack.json(`/orders/${kept}`)).status).toBe('submitted')
    const { rows } = await stack.database.client.execute(
      "SELECT not_before, created_at FROM outbox WHERE topic = 'handler:markAwaitingValidationWhenGracePeriodEnds'",
    )
    expect(Date.parse(String(rows[0]!.not_before)) - Date.parse(String(rows[0]!.created_at))).toBe(1500)
    await stack.orderReaches(kept, 'paid')
    expect((await stack.json(`/orders/${cancelled}`)).status).toBe('cancelled')
  })
})
