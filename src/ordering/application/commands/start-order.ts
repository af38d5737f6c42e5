import type { Repository, UnitOfWork } from '../../../kernel/index.ts'
import { Order, type StartOrder } from '../../domain/order/order.ts'

export type StartOrderCommand = StartOrder

export interface StartedOrder {
  readonly orderId: string
  readonly status: string
}

/** Creates a submitted order; buyer verification happens in its OrderStarted handlers. */
export async function startOrder(uow: UnitOfWork, orders: Repository<Order>, command: StartOrderCommand): Promise<StartedOrder> {
  const order = uow.add(orders, Order.start(command))
  return { orderId: order.id, status: order.state.status }
}
