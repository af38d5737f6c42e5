import { NotFoundError, type Repository, type UnitOfWork } from '../../../kernel/index.ts'
import type { Order } from '../../domain/order/order.ts'

export class OrderNotFound extends NotFoundError {
  constructor(orderId: string) {
    super('ORDER.NOT_FOUND', `Order ${orderId} does not exist`)
  }
}

/** Loads an order (through the identity map) or fails with ORDER.NOT_FOUND. */
export async function loadOrder(uow: UnitOfWork, orders: Repository<Order>, orderId: string): Promise<Order> {
  const order = await uow.load(orders, orderId)
  if (!order) throw new OrderNotFound(orderId)
  return order
}

export interface TransitionResult {
  readonly orderId: string
  readonly status: string
  readonly version: number
}

const resultOf = (order: Order): TransitionResult => ({ orderId: order.id, status: order.state.status, version: order.version })

/**
 * The buyer's cancellation (`POST /orders/{id}/cancel`). The other transitions have no command of
 * their own: they happen only in reaction to the flow (the grace period, stock, payment).
 */
export async function cancelOrder(uow: UnitOfWork, orders: Repository<Order>, orderId: string): Promise<TransitionResult> {
  const order = await loadOrder(uow, orders, orderId)
  order.cancel()
  return resultOf(order)
}

/** The warehouse's shipment of a paid order (`POST /orders/{id}/ship`). */
export async function shipOrder(uow: UnitOfWork, orders: Repository<Order>, orderId: string): Promise<TransitionResult> {
  const order = await loadOrder(uow, orders, orderId)
  order.ship()
  return resultOf(order)
}
