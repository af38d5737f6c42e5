import { catalogContracts, OrderAwaitingValidationV1, OrderCancelledV1, OrderPaidV1 } from '../contracts/index.ts'
import { defineContext } from '../platform/context.ts'
import { catalogSubscriber } from './application/catalog.subscriber.ts'
import { catalogDashboard } from './infrastructure/catalog.dashboard.ts'
import { catalogStore } from './infrastructure/catalog.store.ts'
import { type Catalog, catalogApi } from './application/catalog.api.ts'
import * as catalogSchema from './infrastructure/schema.ts'

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
    return { api, subscriber: catalogSubscriber(store), seed: api.seed, dashboard: catalogDashboard(database) }
  },
})
