import { afterEach, describe, expect, it } from 'bun:test'
import { Order } from '../../src/ordering/domain/order/order.ts'
import type { OrderEvent } from '../../src/ordering/domain/order/order.events.ts'
import { orderBody, type TestHerald, testHerald } from '../support/herald.ts'

let h: TestHerald
afterEach(() => h?.dispose())

describe('stored domain events of an older shape', () => {
  it('are upcast on read, and still replay', async () => {
    h = await testHerald()
    // An OrderStarted row as schema v1 wrote it (before `channel` existed).
    const v1 = {
      orderId: 'legacy-1',
      buyer: { id: 'old', name: 'Old Timer', email: 'old@example.com' },
      address: { street: 's', city: 'c', state: 'st', country: 'US', zipCode: 'z' },
      card: { holderName: 'Old', last4: '4242', expiration: '01/40', typeId: 1 },
      items: [{ productId: 'mug', productName: 'Mug', unitPrice: 1250, units: 1, discount: 0 }],
      startedAt: '2025-01-01T00:00:00.000Z',
    }
    await h.database.client.execute({
      sql: `INSERT INTO domain_events (id, aggregate_type, aggregate_id, aggregate_version, type, schema_version, data, correlation_id, causation_id, occurred_at)
        VALUES ('legacy-event', 'Order', 'legacy-1', 1, 'OrderStarted', 1, ?, 'c', NULL, '2025-01-01T00:00:00.000Z')`,
      args: [JSON.stringify(v1)],
    })
    const [event] = (await (await h.request('/orders/legacy-1/events')).json()) as any[]
    expect(event.schemaVersion).toBe(2)
    expect(event.data.channel).toBe('unknown')
    const order = Order.fromHistory('legacy-1', [{ type: event.type, data: event.data } as OrderEvent])
    expect(order.state).toMatchObject({ status: 'submitted', total: 1250, buyer: { id: 'old' } })
  })

  it('new events are recorded at the latest schema version', async () => {
    h = await testHerald()
    await h.post('/orders', orderBody())
    const { events } = (await (await h.request('/events?type=OrderStarted')).json()) as any
    expect(events[0].schemaVersion).toBe(2)
    expect(events[0].data.channel).toBe('api')
    const buyers = (await (await h.request('/events?type=BuyerRegistered')).json()) as any
    expect(buyers.events[0]).toMatchObject({ schemaVersion: 2, data: { channel: 'api' } })
  })
})
