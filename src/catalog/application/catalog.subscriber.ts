import { OrderAwaitingValidationV1, OrderCancelledV1, OrderPaidV1, OrderStockConfirmedV1, OrderStockRejectedV1 } from '../../contracts/index.ts'
import { newIntegrationEvent, Subscriber } from '../../kernel/index.ts'
import type { CatalogStore } from '../infrastructure/catalog.store.ts'

/**
 * Catalog reserves stock when an order needs validation, removes it when the order is paid and
 * releases it when the order is cancelled. Reservations make "stock never negative" hold even
 * when two orders compete for the last unit.
 *
 * QStash delivers an order's events independently, so its cancellation can be handled before or
 * at the same moment as its request for stock. Catalog therefore records where it stands with
 * each order (`catalog_orders`): a closed order gets no reservation, and reserving and closing
 * both write that row, so of two concurrent deliveries the later commit retries on fresh state.
 */
export function catalogSubscriber(store: CatalogStore) {
  return new Subscriber('catalog')
    .on(
      // Ordering's contracts are the published language: Catalog imports them, never Ordering's code.
      OrderAwaitingValidationV1,
      async function reserveStockWhenOrderAwaitingValidation(event, { uow, publish }) {
        const { orderId, items } = event.data
        if ((await store.standingOf(orderId)) === 'closed') return // cancelled first: nothing to hold
        const wanted = mergeLines(items)
        const onShelf = new Map((await store.items([...wanted.keys()])).map((i) => [i.id, i.available]))
        const short = [...wanted]
          .filter(([productId, units]) => (onShelf.get(productId) ?? 0) < units)
          .map(([productId, requested]) => ({ productId, requested, available: Math.max(0, onShelf.get(productId) ?? 0) }))
        if (short.length > 0) {
          publish(newIntegrationEvent(OrderStockRejectedV1, orderId, { orderId, rejectedItems: short }))
          return
        }
        uow.stage(store.opened(orderId))
        for (const [productId, units] of wanted) uow.stage(...store.reserve(orderId, { productId, units }))
        publish(newIntegrationEvent(OrderStockConfirmedV1, orderId, { orderId }))
      },
      { name: 'reserveStockWhenOrderAwaitingValidation' },
    )
    .on(
      OrderPaidV1,
      async function removeStockWhenOrderPaid(event, { uow }) {
        const { orderId } = event.data
        const standing = await store.standingOf(orderId)
        for (const reservation of await store.reservationsOf(orderId)) uow.stage(...store.remove(orderId, reservation))
        if (standing !== 'closed') uow.stage(...store.closed(orderId, standing))
      },
      { name: 'removeStockWhenOrderPaid' },
    )
    .on(
      OrderCancelledV1,
      async function releaseStockWhenOrderCancelled(event, { uow }) {
        const { orderId } = event.data
        const standing = await store.standingOf(orderId)
        for (const reservation of await store.reservationsOf(orderId)) uow.stage(...store.release(orderId, reservation))
        if (standing !== 'closed') uow.stage(...store.closed(orderId, standing))
      },
      { name: 'releaseStockWhenOrderCancelled' },
    )
}

/** An order may list a product twice; reserve the sum. */
function mergeLines(items: readonly { productId: string; units: number }[]): Map<string, number> {
  const merged = new Map<string, number>()
  for (const { productId, units } of items) merged.set(productId, (merged.get(productId) ?? 0) + units)
  return merged
}
