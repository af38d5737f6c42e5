export * from './catalog.contracts.ts'
export * from './ordering.contracts.ts'
export * from './payment.contracts.ts'
export * from './registry.ts'
