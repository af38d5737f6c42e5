import type { Journal } from '../../kernel/index.ts'
import { enqueueStatements } from '../outbox/store.ts'
import { appendStatements } from './event-store.ts'

/** The event store and outbox as statements for the command's batch, each from its table's owner. */
export const sqlJournal: Journal = {
  appendEvents: appendStatements,
  enqueue: enqueueStatements,
}
