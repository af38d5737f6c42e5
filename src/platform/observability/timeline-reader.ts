import { inboxStore } from '../messaging/inbox.ts'
import { type OutboxRow, type OutboxStatus, type OutboxStore, type OutboxSummary, outboxStore } from '../outbox/store.ts'
import type { Database } from '../store/database.ts'
import { eventStoreIndex, type StoredEvent } from '../store/event-store.ts'
import type { DeliveryLog, LoggedDelivery } from './delivery-log.ts'
import { type ContributedDashboard, type SubjectCatalogue, type SubjectKindView, subjectCatalogue } from './subjects.ts'
import { buildTimeline, type InboxRow, type KindedSubject, type Reaction, type SubjectSummary, type Timeline, type TimelineOptions } from './timeline.ts'

export interface SubjectListItem extends KindedSubject {
  readonly lastEventAt: string | null
  /** Delivery attempts about this subject that failed, ever. */
  readonly failedAttempts: number
  /** Deliveries about this subject whose attempts all failed so far (retrying, or dead letters). */
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
  /** Set when the subject is one the dashboard lists (so the page can link to its timeline): its kind. */
  readonly subjectKind: string | null
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
  readonly subject: SubjectSummary
}

export interface ConversationRows {
  readonly events: readonly StoredEvent[]
  readonly outbox: readonly OutboxRow[]
  readonly deliveries: readonly LoggedDelivery[]
  readonly inbox: readonly InboxRow[]
  readonly reactions: readonly Reaction[]
}

/** What a dashboard says about its service: its name, its peers, and the subjects it lists. */
export interface ServiceView {
  readonly name: string
  readonly peers: readonly string[]
  readonly subjects: readonly SubjectKindView[]
}

/** The path of the peer endpoint (`POST`, admin token): a service's part of some conversations. */
export const CONVERSATION_PATH = '/dashboard/api/conversation'

const LIMIT = { events: 1000, outbox: 1000, deliveries: 3000 }

export interface TimelineReaderDeps extends TimelineOptions {
  readonly database: Database
  readonly deliveryLog: DeliveryLog
  readonly dashboards?: readonly ContributedDashboard[]
  /** This service's name on the dashboard (`HERALD_SERVICE`). */
  readonly serviceName?: string
  /** Other services whose parts of a chain the timeline joins (`HERALD_PEERS`). */
  readonly peers?: readonly Peer[]
  /** Opens the sealed personal data in event data (erased data reads `"[erased]"`). */
  readonly reveal?: (data: unknown) => Promise<unknown>
}

/**
 * The dashboard's read side: the toolkit's tables (event store, outbox, inbox, delivery log),
 * each read through its owner, plus what the contexts declare they show (`ContextDashboard`:
 * their subjects and reactions). It never names a table, nor a context's words.
 */
export function timelineReader(deps: TimelineReaderDeps) {
  const serviceName = deps.serviceName ?? 'herald'
  const peers = deps.peers ?? []
  const events = eventStoreIndex(deps.database)
  const outbox = outboxStore(deps.database)
  const subjects = subjectCatalogue(deps.dashboards ?? [])
  const conversation = conversationReader(deps)

  return {
    /** The newest subjects of one kind (default: the first declared), with their delivery troubles. */
    async subjects(limit = 30, kind?: string): Promise<SubjectListItem[]> {
      const summaries = await subjects.list(limit, kind)
      if (summaries.length === 0) return []
      const ids = summaries.map((s) => s.id)
      const aggregateType = subjects.kind(kind)?.aggregateType
      const lastEventAt = aggregateType ? await events.lastEventAt(aggregateType, ids) : new Map<string, string>()
      const failures = await deps.deliveryLog.failuresOf(ids)
      return summaries.map((summary) => ({
        ...summary,
        lastEventAt: lastEventAt.get(summary.id) ?? null,
        failedAttempts: failures.get(summary.id)?.failedAttempts ?? 0,
        failingDeliveries: failures.get(summary.id)?.failingDeliveries ?? 0,
      }))
    },

    /** This service's name, the peers whose parts its timelines join, and its subject kinds. */
    service: (): ServiceView => ({ name: serviceName, peers: peers.map((peer) => peer.name ?? peer.url), subjects: subjects.views() }),

    /** One subject's chain across this service and its peers (undefined: no such subject). */
    async timeline(id: string, kind?: string): Promise<Timeline | undefined> {
      const subject = await subjects.find(id, kind)
      if (!subject) return undefined
      const { correlationIds, since } = await chainsOf(subject, subjects.kind(subject.kind)?.aggregateType, { events, deliveryLog: deps.deliveryLog })
      const query = { correlationIds, since, subject }
      const parts = [await conversation(query), ...(await Promise.all(peers.map((peer) => fromPeer(peer, query))))]
      const found = parts.filter((part): part is ConversationRows => part !== undefined)
      return {
        ...buildTimeline({ subject, correlationIds, ...merge(found) }, deps),
        services: [{ name: serviceName, reachable: true }, ...peers.map((peer, i) => ({ name: peer.name ?? peer.url, reachable: parts[i + 1] !== undefined }))],
      }
    },

    conversation,

    /** The demo of a subject kind (default: the first), if its context declared one. */
    demo: subjects.demo,

    /** The outbox as the dashboard lists it: counts, the rows waiting, and the latest published. */
    outbox: (options: { limit?: number; published?: number } = {}) => outboxList(outbox, subjects, options),
  }
}

export type TimelineReader = ReturnType<typeof timelineReader>

/**
 * The conversations a subject took part in, and the instant its chain began: from its own
 * stream when its kind names an aggregate, and from the deliveries about it. A chain found only
 * through deliveries began in another service, before anything here: no lower time bound then
 * (the correlation ids alone select it).
 */
async function chainsOf(
  subject: KindedSubject,
  aggregateType: string | undefined,
  stores: { events: ReturnType<typeof eventStoreIndex>; deliveryLog: DeliveryLog },
): Promise<{ correlationIds: string[]; since: string }> {
  const own = aggregateType ? await stores.events.conversationsOf(aggregateType, subject.id) : []
  const delivered = await stores.deliveryLog.conversationsAbout(subject.id)
  const owned = new Set(own.map((c) => c.correlationId))
  const elsewhere = delivered.filter((c) => !owned.has(c.correlationId))
  const since = elsewhere.length > 0 ? '' : (own.map((c) => c.since).sort()[0] ?? subject.startedAt ?? '')
  return { correlationIds: [...owned, ...elsewhere.map((c) => c.correlationId)], since }
}

/**
 * This service's part of some conversations: what it stored of them (events, outbox rows,
 * deliveries, inbox rows, reactions). A peer's dashboard asks for it to join one chain across
 * services.
 */
function conversationReader(deps: TimelineReaderDeps) {
  const reveal = deps.reveal ?? (async (data: unknown) => data)
  const events = eventStoreIndex(deps.database)
  const outbox = outboxStore(deps.database)
  const inbox = inboxStore(deps.database)
  const readers = (deps.dashboards ?? []).flatMap((d) => (d.reactions ? [{ read: d.reactions, context: d.context }] : []))

  async function reactionsTo(messageIds: readonly string[], subject: SubjectSummary): Promise<Reaction[]> {
    const rows = await Promise.all(
      // A context's reactions are a convenience for the eye: the timeline never depends on them.
      readers.map(async ({ read, context }) =>
        (await read(messageIds, subject).catch(() => [] as Reaction[])).map((r) => (r.context || !context ? r : { ...r, context })),
      ),
    )
    return rows.flat().sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0))
  }

  return async function conversation({ correlationIds, since, subject }: ConversationQuery): Promise<ConversationRows> {
    if (correlationIds.length === 0) return { events: [], outbox: [], deliveries: [], inbox: [], reactions: [] }
    const stored = await events.inConversations(correlationIds, since, LIMIT.events)
    const rows = await outbox.inConversations(correlationIds, since, LIMIT.outbox)
    const opened = await Promise.all(stored.map(async (event) => ({ ...event, data: await reveal(event.data) })))
    const deliveries = await deps.deliveryLog.find({ correlationIds, eventIds: rows.map((o) => o.id), limit: LIMIT.deliveries })
    const messageIds = [...new Set([...rows.map((o) => o.id), ...deliveries.flatMap((d) => (d.eventId ? [d.eventId] : []))])]
    const handled = await inbox.handlersOf(messageIds)
    const reactions = messageIds.length ? await reactionsTo(messageIds, subject) : []
    return { events: opened, outbox: rows, deliveries, inbox: handled, reactions }
  }
}

async function outboxList(outbox: OutboxStore, subjects: SubjectCatalogue, options: { limit?: number; published?: number }) {
  const figures = await outbox.figures()
  const waiting = await outbox.newest(['pending', 'failed'], options.limit ?? 100)
  const published = await outbox.newest(['published'], options.published ?? 15)
  const mentioned = [...new Set([...waiting, ...published].flatMap((r) => (r.subject === null ? [] : [r.subject])))]
  const known = await subjects.known(mentioned)
  const toItem = (r: OutboxSummary): OutboxListItem => ({ ...r, subjectKind: (r.subject !== null && known.get(r.subject)) || null })
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
    reactions: unique(
      parts.flatMap((p) => p.reactions ?? []),
      (r) => `${r.context ?? ''} ${r.id}`,
    ),
  }
}
