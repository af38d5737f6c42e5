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

/** The commands that only move an order along its status machine. */
export const orderTransitions = {
  cancel: (order: Order) => order.cancel(),
  ship: (order: Order) => order.ship(),
  markAwaitingValidation: (order: Order) => order.markAwaitingValidation(),
  confirmStock: (order: Order) => order.confirmStock(),
  markPaid: (order: Order) => order.markPaid(),
  failPayment: (order: Order) => order.failPayment(),
} as const

export type OrderTransition = keyof typeof orderTransitions

export async function changeOrder(
  uow: UnitOfWork,
  orders: Repository<Order>,
  orderId: string,
  transition: (order: Order) => void,
): Promise<{ orderId: string; status: string; version: number }> {
  const order = await loadOrder(uow, orders, orderId)
  transition(order)
  return { orderId, status: order.state.status, version: order.version }
}
