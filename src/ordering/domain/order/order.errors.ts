import { DomainError } from '../../../kernel/index.ts'
import type { OrderStatus } from './order.events.ts'

export class InvalidOrderTransition extends DomainError {
  constructor(orderId: string, from: OrderStatus, action: string) {
    super('ORDER.INVALID_TRANSITION', `Order ${orderId} is ${from}; it cannot be ${action}`, 'conflict', {
      orderId,
      status: from,
      action,
    })
  }
}

export class InvalidOrder extends DomainError {
  constructor(code: `ORDER.${string}`, message: string) {
    super(code, message, 'unprocessable')
  }
}
