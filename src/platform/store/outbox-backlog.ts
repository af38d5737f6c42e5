// The backlog check lives with the outbox (src/platform/outbox/backlog.ts). This path stays only
// while src/platform/herald.ts imports it; it goes when createHerald's rework repoints that import.
export { type OutboxBacklog, type OutboxBacklogOptions, outboxBacklog } from '../outbox/backlog.ts'
