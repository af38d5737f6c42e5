export * from './ordering.ts'
