import { OrderPaymentFailedV1, OrderPaymentSucceededV1, OrderStockConfirmedV1 } from '../../src/contracts/index.ts'
import { jobTopic, newIntegrationEvent } from '../../src/kernel/index.ts'
import { toStructuredCloudEvent } from '../../src/platform/messaging/cloud-events.ts'
import { loadOrder } from '../../src/ordering/application/commands/order-commands.ts'
import type { Order } from '../../src/ordering/domain/order/order.ts'
import type { TestHerald } from './herald.ts'

const GRACE_PERIOD_JOB = 'markAwaitingValidationWhenGracePeriodEnds'

/**
 * Moves an order along the real flow, in-process: the grace period's after-commit job as QStash
 * would deliver it from the outbox, then the replies Catalog and Payment would send, through the
 * same inbound deliveries the subscriber routes call (signatures aside).
 */
export async function advance(h: TestHerald, orderId: string, ...steps: ('awaitValidation' | 'confirmStock' | 'pay' | 'declinePayment')[]) {
  for (const step of steps) {
    if (step === 'awaitValidation') {
      const { rows } = await h.database.client.execute({
        sql: "SELECT id, payload FROM outbox WHERE topic = ? AND json_extract(payload, '$.aggregateId') = ?",
        args: [jobTopic(GRACE_PERIOD_JOB), orderId],
      })
      const job = rows[0]
      if (!job) throw new Error(`order ${orderId} has no grace-period job`)
      await h.deliveries.runJob(GRACE_PERIOD_JOB, JSON.stringify({ jobId: String(job.id), event: JSON.parse(String(job.payload)) }))
      continue
    }
    const reply =
      step === 'confirmStock'
        ? newIntegrationEvent(OrderStockConfirmedV1, orderId, { orderId })
        : step === 'pay'
          ? newIntegrationEvent(OrderPaymentSucceededV1, orderId, { orderId, transactionId: `tx-${orderId}`, amountCents: 1 })
          : newIntegrationEvent(OrderPaymentFailedV1, orderId, { orderId, reason: 'card_declined' })
    const event = { ...reply, version: reply.version ?? 1, id: h.newId(), time: h.clock(), correlationId: orderId, causationId: null }
    await h.deliveries.receive('ordering', { 'content-type': 'application/cloudevents+json' }, toStructuredCloudEvent(event, 'http://test'))
  }
}

/**
 * One domain transition as a bare command on the aggregate, skipping the flow: only for tests of
 * the unit of work's concurrency guarantees (which need illegal transitions to throw).
 */
export async function transitionDirectly(h: TestHerald, orderId: string, transition: (order: Order) => void) {
  return (
    await h.runner.run(async (uow) => {
      const order = await loadOrder(uow, h.ordering.repositories.orders, orderId)
      transition(order)
      return { orderId, status: order.state.status, version: order.version }
    })
  ).result
}
