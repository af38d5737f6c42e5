import { createReferenceHerald, type ReferenceOptions } from '../../src/service/app.ts'
import type { Committer, Statement } from '../../src/kernel/index.ts'
import { steppingClock, sequentialIds } from './clock.ts'
import { tempDatabase } from './database.ts'

export type TestHerald = Awaited<ReturnType<typeof testHerald>>

/**
 * A Herald app on its own libSQL file with a stepping clock and sequential ids. `batches`
 * records every committed batch so tests can assert "one command, one commit".
 */
export async function testHerald(options: Partial<Omit<ReferenceOptions, 'database'>> = {}) {
  const database = await tempDatabase()
  const batches: (readonly Statement[])[] = []
  const committer: Committer = {
    async commit(statements) {
      await database.committer.commit(statements)
      batches.push(statements)
    },
  }
  const herald = createReferenceHerald({
    clock: steppingClock(),
    newId: sequentialIds(),
    ...options,
    database: { ...database, committer },
  })
  const request = (path: string, init: RequestInit = {}) => herald.app.request(path, init)
  const post = (path: string, body?: unknown, headers: Record<string, string> = {}) =>
    request(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    })
  return { ...herald, database, batches, request, post, dispose: () => database.dispose() }
}

export function orderBody(overrides: Record<string, unknown> = {}) {
  return {
    buyer: { id: 'alice', name: 'Alice Liddell', email: 'alice@example.com' },
    address: { street: '1 Main St', city: 'Springfield', state: 'IL', country: 'US', zipCode: '62701' },
    card: { number: '4111111111111111', holderName: 'Alice Liddell', expiration: '12/30', securityNumber: '123', typeId: 2 },
    items: [
      { productId: 'mug', productName: 'Herald mug', unitPrice: 12.5, units: 2 },
      { productId: 'tee', productName: 'Herald tee', unitPrice: 20, units: 1, discount: 5 },
    ],
    ...overrides,
  }
}

export async function placeOrder(h: TestHerald, body: unknown = orderBody()): Promise<string> {
  const response = await h.post('/orders', body)
  if (response.status !== 201) throw new Error(`POST /orders → ${response.status}: ${await response.text()}`)
  return ((await response.json()) as { orderId: string }).orderId
}
