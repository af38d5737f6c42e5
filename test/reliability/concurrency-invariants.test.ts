import { afterEach, describe, expect, it } from 'bun:test'
import { Order } from '../../src/ordering/domain/order/order.ts'
import type { OrderEvent } from '../../src/ordering/domain/order/order.events.ts'
import { orderBody } from '../support/herald.ts'
import { type Stack, startStack } from '../support/stack.ts'
import { waitFor } from '../support/wait-for.ts'

let stack: Stack
afterEach(async () => stack?.stop())

describe('many concurrent, conflicting commands on the same orders and buyers', () => {
  it('keep the status machine, stock and spend invariants', async () => {
    stack = await startStack()
    const buyers = ['ann', 'ben']
    // 24 orders for two buyers compete for 3 signed prints and the same buyer rows.
    const ids = await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        stack.placeOrder(
          orderBody({
            buyer: { id: buyers[i % 2], name: buyers[i % 2], email: `${buyers[i % 2]}@example.com` },
            items: [{ productId: i % 3 === 0 ? 'limited-print' : 'mug', productName: 'x', unitPrice: 250, units: 1 }],
          }),
        ),
      ),
    )
    // Buyers cancel a third of them while the flow runs; some cancels win, some get 409.
    const cancels = await Promise.all(ids.filter((_, i) => i % 3 === 1).map((id) => fetch(`${stack.publicUrl}/orders/${id}/cancel`, { method: 'POST' })))
    expect(cancels.every((r) => r.status === 200 || r.status === 409)).toBe(true)

    await waitFor(
      async () => {
        const orders = await Promise.all(ids.map((id) => stack.json(`/orders/${id}`)))
        return orders.every((o) => o.status === 'paid' || o.status === 'cancelled')
      },
      { timeoutMs: 30_000, what: 'every order to settle' },
    )
    await waitFor(async () => (await stack.json<{ reserved: number }[]>('/catalog/items')).every((i) => i.reserved === 0), {
      what: 'reservations to settle',
    })

    // Payment: a paid order was charged; a cancelled one was never charged, or was refunded.
    const charges = async () => {
      const { rows } = await stack.database.client.execute(
        'SELECT o.status AS order_status, p.status AS charge FROM ordering_orders o LEFT JOIN payment_transactions p ON p.order_id = o.id',
      )
      return rows.map((r) => `${r.order_status}:${r.charge ?? 'none'}`)
    }
    const settled = new Set(['paid:succeeded', 'cancelled:none', 'cancelled:voided', 'cancelled:refunded', 'cancelled:failed'])
    await waitFor(async () => (await charges()).every((c) => settled.has(c)), { what: 'charges to match the orders' }).catch(async (error) => {
      throw new Error(`${(error as Error).message}: ${JSON.stringify(await charges())}`)
    })

    const legal: Record<string, string[]> = {
      submitted: ['awaiting_validation', 'cancelled'],
      awaiting_validation: ['stock_confirmed', 'cancelled'],
      stock_confirmed: ['paid', 'cancelled'],
      paid: ['shipped'],
    }
    const paidTotals = new Map<string, number>()
    for (const id of ids) {
      const events = await stack.json<{ type: string; data: unknown }[]>(`/orders/${id}/events`)
      let previous = 'submitted'
      for (let k = 2; k <= events.length; k++) {
        const status = Order.fromHistory(id, events.slice(0, k) as OrderEvent[]).state.status
        if (status !== previous) expect(legal[previous]).toContain(status)
        previous = status
      }
      const order = await stack.json(`/orders/${id}`)
      expect(order.status).toBe(previous)
      if (order.status === 'paid') paidTotals.set(order.buyerId, (paidTotals.get(order.buyerId) ?? 0) + Math.round(order.total * 100))
    }

    const prints = (await stack.json<{ id: string; stock: number }[]>('/catalog/items')).find((i) => i.id === 'limited-print')!
    expect(prints.stock).toBeGreaterThanOrEqual(0)
    const paidPrints = (await Promise.all(ids.filter((_, i) => i % 3 === 0).map((id) => stack.json(`/orders/${id}`)))).filter((o) => o.status === 'paid').length
    expect(prints.stock).toBe(3 - paidPrints)

    for (const buyer of buyers) {
      const { rows } = await stack.database.client.execute({ sql: 'SELECT state FROM ordering_buyers WHERE id = ?', args: [buyer] })
      expect(JSON.parse(String(rows[0]!.state)).lifetimeSpend).toBe(paidTotals.get(buyer) ?? 0)
    }
  })
})
