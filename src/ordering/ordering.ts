import { OrderPaymentFailedV1, OrderPaymentSucceededV1, OrderStockConfirmedV1, OrderStockRejectedV1, orderingContracts } from '../contracts/index.ts'
import { drizzle } from 'drizzle-orm/libsql'
import { defineContext } from '../platform/context.ts'
import { revealingReader } from '../platform/store/personal-data.ts'
import { orderingApi } from './application/ordering.api.ts'
import { updateOrderWhenBuyerAndPaymentMethodVerified } from './application/handlers/update-order-when-buyer-and-payment-method-verified.ts'
import { validateOrAddBuyerWhenOrderStarted } from './application/handlers/validate-or-add-buyer-when-order-started.ts'
import { markAwaitingValidationWhenGracePeriodEnds } from './application/handlers/mark-awaiting-validation-when-grace-period-ends.ts'
import { integrationEventPublishers } from './application/handlers/publish-integration-events.ts'
import { recordSpendWhenOrderPaid } from './application/handlers/record-spend-when-order-paid.ts'
import { orderingDemo } from './application/demo.ts'
import { orderSubjects, orderingQueries } from './application/queries.ts'
import { orderingSubscriber } from './application/subscriber.ts'
import { type BuyerEvent, buyerEventTypes } from './domain/buyer/buyer.events.ts'
import { Buyer } from './domain/buyer/buyer.ts'
import { type OrderEvent, orderEventTypes } from './domain/order/order.events.ts'
import { Order } from './domain/order/order.ts'
import { orderingUpcasters } from './domain/upcasters.ts'
import { buyerRepository } from './infrastructure/buyer.repository.ts'
import { orderRepository } from './infrastructure/order.repository.ts'
import { orderingReplayers } from './infrastructure/replayers.ts'
import { orderingSchema } from './infrastructure/schema.ts'

export interface OrderingOptions {
  /** Delay between OrderStarted and validation, during which the buyer may cancel. */
  readonly gracePeriodMs: number
}

/**
 * The Ordering bounded context (after eShop): Order and Buyer, the grace period, the $6,000 rule,
 * and the integration events every other context reacts to.
 */
export const ordering = ({ gracePeriodMs }: OrderingOptions) =>
  defineContext<ReturnType<typeof orderingApi>, OrderEvent | BuyerEvent>({
    name: 'ordering',
    schema: orderingSchema,
    migrations: () => new URL('../../drizzle/ordering', import.meta.url),
    records: [...orderEventTypes, ...buyerEventTypes],
    aggregates: [Order.type, Buyer.type],
    publishes: orderingContracts,
    consumes: [OrderStockConfirmedV1, OrderStockRejectedV1, OrderPaymentSucceededV1, OrderPaymentFailedV1],
    upcasters: orderingUpcasters,
    setup({ database, runner, dispatcher, idempotency, events, personalData, clock, newId }) {
      const db = drizzle(database.client, { schema: orderingSchema })
      const orders = orderRepository(db)
      const buyers = buyerRepository(db)
      const publishers = integrationEventPublishers(orders, buyers, personalData)
      dispatcher
        .on('OrderStarted', validateOrAddBuyerWhenOrderStarted(buyers), { name: 'validateOrAddBuyerWhenOrderStarted' })
        .on('OrderStarted', markAwaitingValidationWhenGracePeriodEnds(orders), {
          name: 'markAwaitingValidationWhenGracePeriodEnds',
          phase: 'after-commit',
          delayMs: gracePeriodMs,
        })
        .on('BuyerAndPaymentMethodVerified', updateOrderWhenBuyerAndPaymentMethodVerified(orders, buyers), {
          name: 'updateOrderWhenBuyerAndPaymentMethodVerified',
        })
        .on('OrderStatusChangedToAwaitingValidation', publishers.publishWhenOrderAwaitingValidation, { name: 'publishWhenOrderAwaitingValidation' })
        .on('OrderStatusChangedToStockConfirmed', publishers.publishWhenOrderStockConfirmed, { name: 'publishWhenOrderStockConfirmed' })
        .on('OrderStatusChangedToPaid', recordSpendWhenOrderPaid(orders, buyers), { name: 'recordSpendWhenOrderPaid' })
        .on('OrderStatusChangedToPaid', publishers.publishWhenOrderPaid, { name: 'publishWhenOrderPaid' })
        .on('OrderCancelled', publishers.publishWhenOrderCancelled, { name: 'publishWhenOrderCancelled' })
        .on('OrderShipped', publishers.publishWhenOrderShipped, { name: 'publishWhenOrderShipped' })
        .on('BuyerRegistered', publishers.publishWhenBuyerRegistered, { name: 'publishWhenBuyerRegistered' })
        .on('BuyerQualifiedForLoyaltyDiscount', publishers.publishWhenBuyerQualifiedForLoyaltyDiscount, { name: 'publishWhenBuyerQualifiedForLoyaltyDiscount' })
        .on('BuyerPersonalDataErased', publishers.publishWhenBuyerPersonalDataErased, { name: 'publishWhenBuyerPersonalDataErased' })

      const queries = orderingQueries(db, personalData)
      // Shown events have personal data opened; replay (reconcile) reads them sealed.
      const api = orderingApi({ runner, idempotency, orders, buyers, queries, personalData, events: revealingReader(events, personalData) })
      return {
        api,
        subscriber: orderingSubscriber(orders),
        replayers: orderingReplayers(db),
        dashboard: {
          subjects: orderSubjects(db),
          demo: orderingDemo((command) => api.startOrder(command, { caller: undefined, key: undefined, fingerprint: '' }), { clock, newId }),
        },
      }
    },
  })

export type { IdempotencyRequest, Ordering } from './application/ordering.api.ts'
