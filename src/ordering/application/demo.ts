import type { DemoDeclaration } from '../../platform/observability/timeline.ts'
import type { StartOrderCommand } from './commands/start-order.ts'

/** What the dashboard's demo form offers: one order per scenario, each ending its own way. */
export const DEMO_SCENARIOS = [
  { name: 'paid', label: 'Happy path: paid' },
  { name: 'declined', label: 'Card declined: cancelled' },
  { name: 'no-stock', label: 'Out of stock: cancelled' },
] as const

/** A demo order for `scenario` (a card ending in 0000 is declined; 50 signed prints are more than the stock). */
export function demoOrder(scenario: string, orderId: string, now: string): StartOrderCommand {
  const year = (new Date(now).getUTCFullYear() + 3) % 100
  const items =
    scenario === 'no-stock'
      ? [{ productId: 'limited-print', productName: 'Signed limited print', unitPrice: 25_000, units: 50, discount: 0 }]
      : [
          { productId: 'mug', productName: 'Herald mug', unitPrice: 1_250, units: 2, discount: 0 },
          { productId: 'tee', productName: 'Herald tee', unitPrice: 2_000, units: 1, discount: 0 },
        ]
  return {
    orderId,
    buyer: { id: 'demo', name: 'Dana Demo', email: 'dana@example.com' },
    address: { street: '1 Main St', city: 'Springfield', state: 'IL', country: 'US', zipCode: '62701' },
    card: { holderName: 'Dana Demo', last4: scenario === 'declined' ? '0000' : '1111', expiration: `12/${String(year).padStart(2, '0')}`, typeId: 2 },
    items,
    startedAt: now,
    channel: 'demo',
  }
}

/** The dashboard's demo: starts an order as `POST /orders` would (no Idempotency-Key). */
export function orderingDemo(
  startOrder: (command: StartOrderCommand) => Promise<{ body: { orderId: string } }>,
  ids: { newId: () => string; clock: () => string },
): DemoDeclaration {
  return {
    scenarios: DEMO_SCENARIOS,
    async start(scenario) {
      const outcome = await startOrder(demoOrder(scenario, ids.newId(), ids.clock()))
      return { id: outcome.body.orderId }
    },
  }
}
