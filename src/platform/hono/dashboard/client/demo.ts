import { pad } from './format.ts'

/** A demo order's body for each scenario of the page's form. */
export function demoOrder(scenario: string) {
  const year = (new Date().getFullYear() + 3) % 100
  const card = {
    number: scenario === 'declined' ? '4111111111110000' : '4111111111111111',
    holderName: 'Dana Demo',
    expiration: `12/${pad(year)}`,
    securityNumber: '123',
    typeId: 2,
  }
  const items =
    scenario === 'no-stock'
      ? [{ productId: 'limited-print', productName: 'Signed limited print', unitPrice: 250, units: 50 }]
      : [
          { productId: 'mug', productName: 'Herald mug', unitPrice: 12.5, units: 2 },
          { productId: 'tee', productName: 'Herald tee', unitPrice: 20, units: 1 },
        ]
  return {
    buyer: { id: 'demo', name: 'Dana Demo', email: 'dana@example.com' },
    address: { street: '1 Main St', city: 'Springfield', state: 'IL', country: 'US', zipCode: '62701' },
    card,
    items,
  }
}
