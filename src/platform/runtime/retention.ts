import type { RetentionSettings } from '../config.ts'
import { inboxStore } from '../messaging/inbox.ts'
import type { Database } from '../store/database.ts'
import { pruneIdempotencyKeys } from '../store/idempotency-store.ts'

/**
 * Deletes the idempotency records and inbox rows older than their retention, counted back from
 * `now` (both tables are indexed on their time column, so this reads only the expired rows).
 */
export async function pruneDedupeRecords(database: Database, settings: RetentionSettings, now: number = Date.now()) {
  const before = (hours: number) => new Date(now - hours * 3_600_000).toISOString()
  return {
    idempotencyKeys: await pruneIdempotencyKeys(database, before(settings.idempotencyRetentionHours)),
    inbox: await inboxStore(database).pruneBefore(before(settings.inboxRetentionHours)),
  }
}
