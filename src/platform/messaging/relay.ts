// The relay lives with the outbox (src/platform/outbox/relay.ts). This path stays only while
// src/platform/herald.ts imports it; it goes when createHerald's rework repoints that import.
export { outboxRelay, type OutboxRelay, type RelayOptions, type RelayReport } from '../outbox/relay.ts'
