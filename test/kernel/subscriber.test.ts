import { describe, expect, it } from 'bun:test'
import { z } from 'zod'
import { defineContract, Subscriber } from '../../src/kernel/index.ts'

const Shipped = defineContract({ source: 'shipping', name: 'ParcelShipped', version: 1, description: 'x', schema: z.object({ id: z.string() }) })
const Lost = defineContract({ source: 'shipping', name: 'ParcelLost', version: 1, description: 'x', schema: z.object({ id: z.string() }) })

describe('Subscriber', () => {
  it('keys a subscription by its declared name, whatever the function is called', () => {
    const subscriber = new Subscriber('billing').on(Shipped, function mangled() {}, { name: 'invoiceWhenShipped' })
    expect(subscriber.handlerFor('shipping', 'ParcelShipped')?.handlerName).toBe('invoiceWhenShipped')
  })

  it('refuses a subscription without a declared name, naming the context and the event', () => {
    const subscriber = new Subscriber('billing')
    const on = subscriber.on.bind(subscriber) as (contract: unknown, handle: () => void, options?: object) => unknown
    expect(() => on(Shipped, function invoiceWhenShipped() {})).toThrow(/billing handler for shipping.ParcelShipped needs a name/)
    expect(() => on(Shipped, () => {}, { ordered: true })).toThrow(/needs a name/)
  })

  it('refuses two subscriptions with one name', () => {
    const subscriber = new Subscriber('billing').on(Shipped, () => {}, { name: 'invoice' })
    expect(() => subscriber.on(Lost, () => {}, { name: 'invoice' })).toThrow(/billing already has a handler named "invoice"/)
  })
})
