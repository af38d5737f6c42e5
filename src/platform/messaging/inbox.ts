import type { Statement } from '../../kernel/index.ts'
import { type Database, parameters } from '../store/database.ts'

/*
 * The `inbox` table's one owner: every statement that names it is here. Deliveries check and
 * record their dedupe row through it; the dashboard reads which handlers ran.
 */

/** One handler's handling of one message: the dedupe key and the commit that did it. */
export interface InboxRow {
  readonly eventId: string
  readonly subscriber: string
  /** The handling commit: its domain events, outbox rows and mails carry the same id. */
  readonly commitId?: string | null
  /** The handling commit's clock reading: its domain events, outbox rows and mails carry the same. */
  readonly receivedAt?: string
}

export interface InboxKey {
  /** The message id (CloudEvent id, or the job id). */
  readonly id: string
  /** The inbox key of the handler (`inboxKey`). */
  readonly subscriber: string
  readonly type: string
}

const SEEN = 'SELECT 1 FROM inbox WHERE event_id = ? AND subscriber = ?'
const RECORD = 'INSERT INTO inbox (event_id, subscriber, event_type, received_at, commit_id) VALUES (?, ?, ?, ?, ?)'

export function inboxStore(database: Database) {
  const { client } = database
  return {
    /** Whether this handler already handled this message. */
    async seen(key: InboxKey): Promise<boolean> {
      const { rows } = await client.execute({ sql: SEEN, args: [key.id, key.subscriber] })
      return rows.length > 0
    },

    /** The dedupe row, for the handling command's batch: a concurrent duplicate collides on its key. */
    record: (key: InboxKey, at: string, commitId: string | null): Statement => ({ sql: RECORD, args: [key.id, key.subscriber, key.type, at, commitId] }),

    /**
     * Forgets the messages handled before `instant` (ISO-8601). Only safe past the broker's retry
     * window: a redelivery after it would run its handler again.
     */
    async pruneBefore(instant: string): Promise<number> {
      return (await client.execute({ sql: 'DELETE FROM inbox WHERE received_at < ?', args: [instant] })).rowsAffected
    },

    /** Who handled these messages, and in which commit. */
    async handlersOf(messageIds: readonly string[]): Promise<InboxRow[]> {
      if (messageIds.length === 0) return []
      const { rows } = await client.execute({
        sql: `SELECT event_id, subscriber, received_at, commit_id FROM inbox WHERE event_id IN (${parameters(messageIds)})`,
        args: [...messageIds],
      })
      return rows.map((r) => ({
        eventId: String(r.event_id),
        subscriber: String(r.subscriber),
        receivedAt: String(r.received_at),
        commitId: r.commit_id == null ? null : String(r.commit_id),
      }))
    },
  }
}

export type InboxStore = ReturnType<typeof inboxStore>
