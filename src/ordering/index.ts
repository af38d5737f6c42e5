// Ordering's public API: the context module, and what its routes and the service may name.
export { OrderNotFound } from './application/commands/order-commands.ts'
export type { StartOrderCommand } from './application/commands/start-order.ts'
export * from './ordering.ts'
