// The toolkit's own tables (event store, outbox, inbox, idempotency, delivery log): one drizzle
// schema, migrated from drizzle/herald/ before any context's.
export * from './schema.ts'
export * from '../observability/schema.ts'
