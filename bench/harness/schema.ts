// The reference contexts' tables, for the bare baselines that write the same rows with drizzle.
export { mailbox } from '../../src/notifications/schema.ts'
export { buyers, orders } from '../../src/ordering/infrastructure/schema.ts'
