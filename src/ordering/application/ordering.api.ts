import { type CommandMeta, type CommandRunner, type IdempotencyStore, idempotent } from '../../kernel/index.ts'
import type { Database } from '../../platform/store/database.ts'
import type { EventStoreReader } from '../../platform/store/event-store.ts'
import { type PersonalDataVault, scrubFreedSpace } from '../../platform/store/personal-data.ts'
import type { buyerRepository } from '../infrastructure/buyer.repository.ts'
import type { OrderStarted } from '../domain/order/order.events.ts'
import type { orderRepository } from '../infrastructure/order.repository.ts'
import { erasePersonalData } from './commands/erase-personal-data.ts'
import { cancelOrder, shipOrder } from './commands/order-commands.ts'
import { sealStartOrder } from './commands/seal-start-order.ts'
import { type StartOrderCommand, startOrder } from './commands/start-order.ts'
import type { orderingQueries } from './queries.ts'

export interface IdempotencyRequest {
  readonly key: string | undefined
  readonly fingerprint: string
}

/** Ordering's commands and queries: what its routes, the service and the tests call. */
export function orderingApi(deps: {
  database: Database
  runner: CommandRunner
  idempotency: IdempotencyStore
  orders: ReturnType<typeof orderRepository>
  buyers: ReturnType<typeof buyerRepository>
  queries: ReturnType<typeof orderingQueries>
  personalData: PersonalDataVault
  /** The event store's read side with personal data opened (for display; replay reads it sealed). */
  events: EventStoreReader
}) {
  const { database, runner, idempotency, orders, buyers, queries, personalData, events } = deps
  return {
    repositories: { orders, buyers },
    queries,

    async startOrder(command: StartOrderCommand, request: IdempotencyRequest, meta: CommandMeta = {}) {
      const key = request.key === undefined ? undefined : `POST /orders ${request.key}`
      // Sealed before the domain sees it: the Order, the Buyer, their events and rows only ever hold sealed strings.
      const work = idempotent(idempotency, { key, fingerprint: request.fingerprint }, 201, async (uow) =>
        startOrder(uow, orders, await sealStartOrder(personalData, command, (...statements) => uow.stage(...statements))),
      )
      return (await runner.run(work, meta)).result
    },

    async cancelOrder(orderId: string, meta: CommandMeta = {}) {
      return (await runner.run((uow) => cancelOrder(uow, orders, orderId), meta)).result
    },

    async shipOrder(orderId: string, meta: CommandMeta = {}) {
      return (await runner.run((uow) => shipOrder(uow, orders, orderId), meta)).result
    },

    /**
     * Crypto-shreds the buyer's personal data (one commit), drops their key from this process's
     * cache, then rewrites the file so no older copy of a redacted outbox row lingers in free space.
     */
    async erasePersonalData(buyerId: string, meta: CommandMeta = {}) {
      const { result } = await runner.run((uow) => erasePersonalData(uow, buyers, personalData, buyerId), meta)
      personalData.forget(buyerId)
      await scrubFreedSpace(database)
      return result
    },

    /**
     * One order's stored stream and its buyer. The stream is the truth (it may outlive a lost
     * row): without the row, its OrderStarted names the buyer.
     */
    async orderEvents(orderId: string) {
      const stream = await events.stream('Order', orderId)
      const started = stream[0]?.type === 'OrderStarted' ? (stream[0].data as OrderStarted['data']) : undefined
      const buyerId: string | undefined = (await queries.getOrder(orderId))?.buyerId ?? started?.buyer.id
      return { buyerId, events: stream }
    },
  }
}

export type Ordering = ReturnType<typeof orderingApi>
