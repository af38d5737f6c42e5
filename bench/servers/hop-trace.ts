import { type Committer, parseInboxKey, type Statement } from '../../src/kernel/index.ts'
import type { OutboundMessage, Publisher } from '../../src/platform/messaging/publisher.ts'
import { epochMs } from '../harness/stats.ts'

/** One outbox row (an integration event or an after-commit job), keyed by its id. */
export interface HopRow {
  /** The outbox topic: the event type's URL group, or the job's handler. */
  readonly topic: string
  /** Epoch ms when the batch that wrote it was durable, and how long that commit took (wall ms). */
  readonly committed: number
  readonly commitMs: number
  /** The outbox row whose delivery ran the command that wrote this row (absent: an HTTP command). */
  readonly cause?: string
  /** Who ran it (the inbox key's target: a context, or a job's handler: the delivery path's last segment). */
  readonly causeTarget?: string
  /** When the relay called the broker for it, and when the broker acknowledged (the first publish). */
  publishStart?: number
  publishEnd?: number
}

/** One delivery attempt the service answered. */
export interface HopDelivery {
  readonly path: string
  readonly arrived: number
  readonly answered: number
  readonly status: number
  readonly retried: number
}

/** What figure 7 reads to split order → paid into hops (see bench/harness/hops.ts). */
export interface HopMarks {
  readonly rows: Record<string, HopRow>
  /** Per broker message id: the outbox row it carries. */
  readonly messages: Record<string, string>
  /** Per broker message id: every attempt the service answered, in order. */
  readonly deliveries: Record<string, HopDelivery[]>
  /** Per order id: the outbox row whose delivery committed `OrderStatusChangedToPaid`, and that commit. */
  readonly paid: Record<string, { readonly cause: string; readonly causeTarget: string; readonly committed: number; readonly commitMs: number }>
}

const INBOX = 'INSERT INTO inbox'
const OUTBOX = 'INSERT INTO outbox'
const DOMAIN_EVENT = 'INSERT INTO domain_events'

/**
 * Bench-only stamps from outside the service's code, taken only while `on` (the figure turns them
 * on for its latency phase, so the sustained phase's CPU is the service's own): the committer
 * sees which delivery (its inbox row) caused which outbox rows, the publisher when each row went
 * to the broker, and the HTTP entry when each attempt arrived and was answered.
 */
export function hopTrace() {
  let marks: HopMarks = { rows: {}, messages: {}, deliveries: {}, paid: {} }
  let on = false

  const committer = (inner: Committer): Committer => ({
    async commit(statements: readonly Statement[]) {
      if (!on) return inner.commit(statements)
      const started = epochMs()
      await inner.commit(statements)
      const committed = epochMs()
      const commitMs = committed - started
      const inbox = statements.find((s) => s.sql.startsWith(INBOX))
      const cause = inbox ? { cause: String(inbox.args[0]), causeTarget: parseInboxKey(String(inbox.args[1])).target } : undefined
      for (const s of statements) {
        if (s.sql.startsWith(OUTBOX)) {
          marks.rows[String(s.args[0])] = { topic: String(s.args[2]), committed, commitMs, ...cause }
        } else if (s.sql.startsWith(DOMAIN_EVENT) && s.args[4] === 'OrderStatusChangedToPaid' && cause) {
          marks.paid[String(s.args[2])] = { ...cause, committed, commitMs }
        }
      }
    },
  })

  const publisher = (inner: Publisher): Publisher => ({
    async publish(message: OutboundMessage) {
      if (!on) return inner.publish(message)
      const row = marks.rows[message.deduplicationId]
      const started = epochMs()
      const ids = await inner.publish(message)
      if (row && row.publishStart === undefined) {
        row.publishStart = started
        row.publishEnd = epochMs()
      }
      for (const id of ids.split(',')) marks.messages[id] = message.deduplicationId
      return ids
    },
  })

  /** Wraps the app's fetch for deliveries (the broker's message id names the attempt). */
  const deliveries =
    (fetch: (request: Request) => Promise<Response>) =>
    async (request: Request): Promise<Response> => {
      const messageId = on ? request.headers.get('upstash-message-id') : null
      if (!messageId) return fetch(request)
      const arrived = epochMs()
      const response = await fetch(request)
      // Keyed by message id alone: the broker may deliver before the relay has its publish answer.
      marks.deliveries[messageId] ??= []
      marks.deliveries[messageId].push({
        path: new URL(request.url).pathname,
        arrived,
        answered: epochMs(),
        status: response.status,
        retried: Number(request.headers.get('upstash-retried') ?? 0),
      })
      return response
    }

  return {
    committer,
    publisher,
    deliveries,
    start() {
      marks = { rows: {}, messages: {}, deliveries: {}, paid: {} }
      on = true
    },
    marks: () => marks,
  }
}
