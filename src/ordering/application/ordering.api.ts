import { type IdempotencyRequest as CommandIdempotency, type CommandMeta, type CommandRunner, type IdempotencyStore, idempotent } from '../../kernel/index.ts'
import type { EventStoreReader } from '../../platform/store/event-store.ts'
import type { PersonalDataVault } from '../../platform/store/personal-data.ts'
import type { buyerRepository } from '../infrastructure/buyer.repository.ts'
import type { OrderStarted } from '../domain/order/order.events.ts'
import type { orderRepository } from '../infrastructure/order.repository.ts'
import { erasePersonalData } from './commands/erase-personal-data.ts'
import { cancelOrder, shipOrder } from './commands/order-commands.ts'
import { sealStartOrder } from './commands/seal-start-order.ts'
import { type StartOrderCommand, startOrder } from './commands/start-order.ts'
import type { orderingQueries } from './queries.ts'

/** A command route's Idempotency-Key, its caller and its request's fingerprint (the API names the command). */
export type IdempotencyRequest = Omit<CommandIdempotency, 'command'>

/** Ordering's commands and queries: what its routes, the service and the tests call. */
export function orderingApi(deps: {
  runner: CommandRunner
  idempotency: IdempotencyStore
  orders: ReturnType<typeof orderRepository>
  buyers: ReturnType<typeof buyerRepository>
  queries: ReturnType<typeof orderingQueries>
  personalData: PersonalDataVault
  /** The event store's read side with personal data opened (for display; replay reads it sealed). */
  events: EventStoreReader
}) {
  const { runner, idempotency, orders, buyers, queries, personalData, events } = deps
  return {
    repositories: { orders, buyers },
    queries,

    async startOrder(command: StartOrderCommand, request: IdempotencyRequest, meta: CommandMeta = {}) {
      // Sealed before the domain sees it: the Order, the Buyer, their events and rows only ever hold sealed strings.
      const work = idempotent(idempotency, { ...request, command: 'startOrder' }, 201, async (uow) =>
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
     * Crypto-shreds the buyer's personal data (one commit, after which the committer has scrubbed
     * the file and its WAL) and drops their key from this process's cache.
     */
    async erasePersonalData(buyerId: string, meta: CommandMeta = {}) {
      const { result } = await runner.run((uow) => erasePersonalData(uow, buyers, personalData, buyerId), meta)
      personalData.forget(buyerId)
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
