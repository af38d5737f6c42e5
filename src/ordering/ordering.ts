import {
  type CommandMeta,
  type CommandRunner,
  type Dispatcher,
  type HandlerContext,
  type IdempotencyStore,
  idempotent,
} from '../kernel/index.ts'
import type { Database } from '../platform/store/database.ts'
import { changeOrder, type OrderTransition, orderTransitions } from './application/commands/change-order.ts'
import { type StartOrderCommand, startOrder } from './application/commands/start-order.ts'
import { updateOrderWhenBuyerAndPaymentMethodVerified } from './application/handlers/update-order-when-buyer-and-payment-method-verified.ts'
import { validateOrAddBuyerWhenOrderStarted } from './application/handlers/validate-or-add-buyer-when-order-started.ts'
import { markAwaitingValidationWhenGracePeriodEnds } from './application/handlers/mark-awaiting-validation-when-grace-period-ends.ts'
import { integrationEventPublishers } from './application/handlers/publish-integration-events.ts'
import { recordSpendWhenOrderPaid } from './application/handlers/record-spend-when-order-paid.ts'
import { orderingQueries } from './application/queries.ts'
import { orderingSubscriber } from './application/subscriber.ts'
import { buyerRepository } from './infrastructure/buyer.repository.ts'
import { orderRepository } from './infrastructure/order.repository.ts'

export interface OrderingDeps {
  readonly database: Database
  /** Delay between OrderStarted and validation, during which the buyer may cancel. */
  readonly gracePeriodMs: number
  readonly runner: CommandRunner
  readonly dispatcher: Dispatcher<any, HandlerContext>
  readonly idempotency: IdempotencyStore
}

export interface IdempotencyRequest {
  readonly key: string | undefined
  readonly fingerprint: string
}

/** The Ordering bounded context: registers its handlers and exposes its commands and queries. */
export function createOrdering({ database, gracePeriodMs, runner, dispatcher, idempotency }: OrderingDeps) {
  const orders = orderRepository(database.db)
  const buyers = buyerRepository(database.db)

  const publishers = integrationEventPublishers(orders, buyers)
  dispatcher
    .on('OrderStarted', validateOrAddBuyerWhenOrderStarted(buyers))
    .on('OrderStarted', markAwaitingValidationWhenGracePeriodEnds(orders), { phase: 'after-commit', delayMs: gracePeriodMs })
    .on('BuyerAndPaymentMethodVerified', updateOrderWhenBuyerAndPaymentMethodVerified(orders, buyers))
    .on('OrderStatusChangedToAwaitingValidation', publishers.publishWhenOrderAwaitingValidation)
    .on('OrderStatusChangedToStockConfirmed', publishers.publishWhenOrderStockConfirmed)
    .on('OrderStatusChangedToPaid', recordSpendWhenOrderPaid(orders, buyers))
    .on('OrderStatusChangedToPaid', publishers.publishWhenOrderPaid)
    .on('OrderCancelled', publishers.publishWhenOrderCancelled)
    .on('OrderShipped', publishers.publishWhenOrderShipped)
    .on('BuyerRegistered', publishers.publishWhenBuyerRegistered)
    .on('BuyerQualifiedForLoyaltyDiscount', publishers.publishWhenBuyerQualifiedForLoyaltyDiscount)

  return {
    repositories: { orders, buyers },
    subscriber: orderingSubscriber(orders),
    queries: orderingQueries(database.db),

    async startOrder(command: StartOrderCommand, request: IdempotencyRequest, meta: CommandMeta = {}) {
      const key = request.key === undefined ? undefined : `POST /orders ${request.key}`
      const work = idempotent(idempotency, { key, fingerprint: request.fingerprint }, 201, (uow) =>
        startOrder(uow, orders, command),
      )
      return (await runner.run(work, meta)).result
    },

    async changeOrder(orderId: string, transition: OrderTransition, meta: CommandMeta = {}) {
      return (await runner.run((uow) => changeOrder(uow, orders, orderId, orderTransitions[transition]), meta)).result
    },
  }
}

export type Ordering = ReturnType<typeof createOrdering>
