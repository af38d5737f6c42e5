export * from './serve.ts'
export * from './service.ts'
