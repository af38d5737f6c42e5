import { inboxStore } from '../messaging/inbox.ts'
import { type OutboxRow, type OutboxStatus, type OutboxStore, type OutboxSummary, outboxStore } from '../outbox/store.ts'
import type { Database } from '../store/database.ts'
import { eventStoreIndex, type StoredEvent } from '../store/event-store.ts'
import type { DeliveryLog, LoggedDelivery } from './delivery-log.ts'
import { buildTimeline, type ContextDashboard, type InboxRow, type MailRow, type OrderSummary, type Timeline, type TimelineOptions } from './timeline.ts'

export interface OrderListItem extends OrderSummary {
  readonly lastEventAt: string | null
  /** Delivery attempts about this order that failed, ever. */
  readonly failedAttempts: number
  /** Deliveries about this order whose attempts all failed so far (retrying, or dead letters). */
  readonly failingDeliveries: number
}

export interface OutboxListItem {
  readonly id: string
  readonly kind: 'integration' | 'after-commit'
  readonly topic: string
  readonly status: OutboxStatus
  readonly attempts: number
  readonly lastError: string | null
  readonly notBefore: string | null
  readonly nextAttemptAt: string
  readonly createdAt: string
  readonly publishedAt: string | null
  readonly subject: string | null
  /** Set when the subject is an order (so the page can link to its timeline). */
  readonly orderId: string | null
}

/** A peer service's dashboard: its base URL and the token its peer endpoint wants. */
export interface Peer {
  readonly url: string
  readonly token?: string
  readonly name?: string
  readonly fetch?: typeof fetch
}

export interface ConversationQuery {
  readonly correlationIds: readonly string[]
  /** The chain's first instant: nothing older belongs to it. */
  readonly since: string
  readonly subject: OrderSummary
}

export interface ConversationRows {
  readonly events: readonly StoredEvent[]
  readonly outbox: readonly OutboxRow[]
  readonly deliveries: readonly LoggedDelivery[]
  readonly inbox: readonly InboxRow[]
  readonly mails: readonly MailRow[]
}

/** The path of the peer endpoint (`POST`, admin token): a service's part of some conversations. */
export const CONVERSATION_PATH = '/dashboard/api/conversation'

const LIMIT = { events: 1000, outbox: 1000, deliveries: 3000 }

export interface TimelineReaderDeps extends TimelineOptions {
  readonly database: Database
  readonly deliveryLog: DeliveryLog
  readonly dashboards?: readonly ContextDashboard[]
  /** This service's name on the dashboard (`HERALD_SERVICE`). */
  readonly serviceName?: string
  /** Other services whose parts of a chain the timeline joins (`HERALD_PEERS`). */
  readonly peers?: readonly Peer[]
  /** Opens the sealed personal data in event data (erased data reads `"[erased]"`). */
  readonly reveal?: (data: unknown) => Promise<unknown>
}

/**
 * The dashboard's read side: the toolkit's tables (event store, outbox, inbox, delivery log),
 * each read through its owner, plus what the contexts declare they show (`ContextDashboard`).
 * It never names a table.
 */
export function timelineReader(deps: TimelineReaderDeps) {
  const { deliveryLog } = deps
  const reveal = deps.reveal ?? (async (data: unknown) => data)
  const serviceName = deps.serviceName ?? 'herald'
  const peers = deps.peers ?? []
  const events = eventStoreIndex(deps.database)
  const outbox = outboxStore(deps.database)
  const inbox = inboxStore(deps.database)
  const subjects = deps.dashboards?.find((d) => d.subjects)?.subjects
  const reactions = (deps.dashboards ?? []).flatMap((d) => (d.reactions ? [d.reactions] : []))
  const orderType = subjects?.aggregateType ?? ''

  /**
   * This service's part of some conversations: what it stored of them (events, outbox rows,
   * deliveries, inbox rows, reactions). A peer's dashboard asks for it to join one chain across
   * services.
   */
  async function conversation({ correlationIds, since, subject }: ConversationQuery): Promise<ConversationRows> {
    if (correlationIds.length === 0) return { events: [], outbox: [], deliveries: [], inbox: [], mails: [] }
    const stored = await events.inConversations(correlationIds, since, LIMIT.events)
    const rows = await outbox.inConversations(correlationIds, since, LIMIT.outbox)
    const opened = await Promise.all(stored.map(async (event) => ({ ...event, data: await reveal(event.data) })))
    const deliveries = await deliveryLog.find({ correlationIds, eventIds: rows.map((o) => o.id), limit: LIMIT.deliveries })
    const messageIds = [...new Set([...rows.map((o) => o.id), ...deliveries.flatMap((d) => (d.eventId ? [d.eventId] : []))])]
    const handled = await inbox.handlersOf(messageIds)
    const mails = messageIds.length ? await reactionsTo(messageIds, subject) : []
    return { events: opened, outbox: rows, deliveries, inbox: handled, mails }
  }

  async function reactionsTo(messageIds: readonly string[], subject: OrderSummary): Promise<MailRow[]> {
    const rows = await Promise.all(
      // A context's reactions are a dev convenience (the mail sink): the timeline never depends on them.
      reactions.map((read) => read(messageIds, subject).catch(() => [] as MailRow[])),
    )
    return rows.flat().sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0))
  }

  return {
    async orders(limit = 30): Promise<OrderListItem[]> {
      const summaries = subjects ? await subjects.list(limit) : []
      if (summaries.length === 0) return []
      const ids = summaries.map((s) => s.orderId)
      const lastEventAt = await events.lastEventAt(orderType, ids)
      const failures = await deliveryLog.failuresOf(ids)
      return summaries.map((summary) => ({
        ...summary,
        lastEventAt: lastEventAt.get(summary.orderId) ?? null,
        failedAttempts: failures.get(summary.orderId)?.failedAttempts ?? 0,
        failingDeliveries: failures.get(summary.orderId)?.failingDeliveries ?? 0,
      }))
    },

    /** This service's name and the peers whose parts its timelines join. */
    service: () => ({ name: serviceName, peers: peers.map((peer) => peer.name ?? peer.url) }),

    async timeline(orderId: string): Promise<Timeline | undefined> {
      const [order] = subjects ? await subjects.find([orderId]) : []
      if (!order) return undefined
      const conversations = await events.conversationsOf(orderType, orderId)
      const correlationIds = conversations.map((c) => c.correlationId)
      const since = conversations.map((c) => c.since).sort()[0] ?? order.startedAt
      const query = { correlationIds, since, subject: order }
      const parts = [await conversation(query), ...(await Promise.all(peers.map((peer) => fromPeer(peer, query))))]
      const found = parts.filter((part): part is ConversationRows => part !== undefined)
      return {
        ...buildTimeline({ order, correlationIds, ...merge(found) }, deps),
        services: [{ name: serviceName, reachable: true }, ...peers.map((peer, i) => ({ name: peer.name ?? peer.url, reachable: parts[i + 1] !== undefined }))],
      }
    },

    conversation,

    /** The outbox as the dashboard lists it: counts, the rows waiting, and the latest published. */
    outbox: (options: { limit?: number; published?: number } = {}) => outboxList(outbox, subjects, options),
  }
}

export type TimelineReader = ReturnType<typeof timelineReader>

async function outboxList(outbox: OutboxStore, subjects: ContextDashboard['subjects'], options: { limit?: number; published?: number }) {
  const figures = await outbox.figures()
  const waiting = await outbox.newest(['pending', 'failed'], options.limit ?? 100)
  const published = await outbox.newest(['published'], options.published ?? 15)
  const mentioned = [...new Set([...waiting, ...published].flatMap((r) => (r.subject === null ? [] : [r.subject])))]
  const known = new Set(subjects && mentioned.length ? (await subjects.find(mentioned)).map((s) => s.orderId) : [])
  const toItem = (r: OutboxSummary): OutboxListItem => ({ ...r, orderId: r.subject !== null && known.has(r.subject) ? r.subject : null })
  return {
    counts: { pending: figures.pending.count, published: figures.published.count, failed: figures.failed.count },
    waiting: waiting.map(toItem),
    published: published.map(toItem),
  }
}

/** A peer's part, or undefined when it cannot be reached (the timeline shows what it has). */
async function fromPeer(peer: Peer, query: ConversationQuery): Promise<ConversationRows | undefined> {
  try {
    const response = await (peer.fetch ?? fetch)(`${peer.url.replace(/\/$/, '')}${CONVERSATION_PATH}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...(peer.token ? { Authorization: `Bearer ${peer.token}` } : {}) },
      body: JSON.stringify(query),
      signal: AbortSignal.timeout(3000),
    })
    return response.ok ? ((await response.json()) as ConversationRows) : undefined
  } catch {
    return undefined
  }
}

/** Several services' parts of one conversation as one set of rows (a row two parts share counts once). */
function merge(parts: readonly ConversationRows[]): ConversationRows {
  const unique = <T>(rows: T[], key: (row: T) => string) => [...new Map(rows.map((row) => [key(row), row])).values()]
  return {
    events: unique(
      parts.flatMap((p) => p.events),
      (e) => e.id,
    ).sort((a, b) => (a.occurredAt === b.occurredAt ? a.position - b.position : a.occurredAt < b.occurredAt ? -1 : 1)),
    outbox: unique(
      parts.flatMap((p) => p.outbox),
      (o) => o.id,
    ),
    deliveries: parts.flatMap((p) => p.deliveries),
    inbox: unique(
      parts.flatMap((p) => p.inbox),
      (i) => `${i.eventId} ${i.subscriber}`,
    ),
    mails: unique(
      parts.flatMap((p) => p.mails),
      (m) => m.id,
    ),
  }
}
