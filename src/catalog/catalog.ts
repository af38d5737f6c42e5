import { catalogRoutes } from '../../routes/catalog.ts'
import { catalogContracts, OrderAwaitingValidationV1, OrderCancelledV1, OrderPaidV1 } from '../contracts/index.ts'
import { defineContext } from '../platform/context.ts'
import { catalogSubscriber } from './application/catalog.subscriber.ts'
import { catalogStore } from './infrastructure/catalog.store.ts'
import * as catalogSchema from './infrastructure/schema.ts'

/** Demo products so a new user can place an order straight away. */
export const seedProducts = [
  { id: 'mug', name: 'Herald mug', price: 12.5, stock: 1000 },
  { id: 'tee', name: 'Herald tee', price: 20, stock: 1000 },
  { id: 'hoodie', name: 'Herald hoodie', price: 45, stock: 500 },
  { id: 'sticker', name: 'Herald sticker pack', price: 4, stock: 10000 },
  { id: 'keyboard', name: 'Mechanical keyboard', price: 3100, stock: 50 },
  { id: 'limited-print', name: 'Signed limited print', price: 250, stock: 3 },
]

function catalogApi(store: ReturnType<typeof catalogStore>) {
  return {
    items: () => store.items(),
    seed: () => store.seed(seedProducts),
  }
}

export type Catalog = ReturnType<typeof catalogApi>

/** The Catalog context: products with stock, talking to Ordering only by events. */
export const catalog = defineContext<Catalog>({
  name: 'catalog',
  schema: catalogSchema,
  migrations: () => new URL('../../drizzle/catalog', import.meta.url),
  publishes: catalogContracts,
  consumes: [OrderAwaitingValidationV1, OrderPaidV1, OrderCancelledV1],
  setup({ database }) {
    const store = catalogStore(database)
    const api = catalogApi(store)
    return { api, subscriber: catalogSubscriber(store), routes: catalogRoutes(api), seed: api.seed }
  },
})
