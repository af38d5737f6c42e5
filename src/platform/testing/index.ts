export { aggregateSpec } from '../../kernel/testing.ts'
export * from './harness.ts'
export * from './wait-for.ts'
