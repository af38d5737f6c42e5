import type { StatusMachine } from '../hono/dashboard/statuses.ts'
import { parseEventType, parseInboxKey, parseJobTopic } from '../../kernel/index.ts'
import { type Database, parameters } from '../store/database.ts'
import { STORED_EVENT_COLUMNS, type StoredEvent, toStoredEvent } from '../store/event-store.ts'
import type { DeliveryLog, LoggedDelivery } from './delivery-log.ts'

/*
 * An order's story across contexts, as a causation tree. Everything in one conversation shares
 * the correlation id of the request that started it; `causationId` says what directly caused
 * each thing:
 *
 *   domain event ──(same commit)──────────────► domain event / integration event / job
 *   job (after-commit outbox row) ─► delivery ─► domain events of the job's commit
 *   integration event ─► delivery to a context ─► that context's reactions
 *                        (domain events, integration events, mails caused by the event)
 *
 * Which commit produced what is exact, not guessed: one unit of work stamps everything it
 * writes (events, outbox rows, mails, its inbox row) with ONE clock reading, so a reaction
 * belongs to the delivery whose inbox row has its timestamp.
 */

export type OutboxStatus = 'pending' | 'published' | 'failed'

export interface OutboxState {
  readonly status: OutboxStatus
  readonly attempts: number
  readonly lastError: string | null
  readonly notBefore: string | null
  readonly nextAttemptAt: string
  readonly publishedAt: string | null
  readonly messageIds: readonly string[]
}

interface NodeBase {
  readonly id: string
  /** ISO-8601; null for a delivery nobody attempted yet. */
  readonly at: string | null
  readonly children: TimelineNode[]
}

/** The HTTP command that started a chain (the domain events it recorded without a cause). */
export interface CommandNode extends NodeBase {
  readonly kind: 'command'
  readonly correlationId: string
  readonly context: string
}

export interface DomainEventNode extends NodeBase {
  readonly kind: 'domain'
  readonly type: string
  readonly context: string
  readonly aggregateType: string
  readonly aggregateId: string
  readonly version: number
  readonly position: number
  readonly correlationId: string
  readonly causationId: string | null
  readonly data: unknown
}

/** An integration event (from the outbox, or seen only in a delivery) or an after-commit job. */
export interface MessageNode extends NodeBase {
  readonly kind: 'integration' | 'job'
  /** Integration: the CloudEvents type. Job: the domain event type it carries. */
  readonly type: string
  /** Job: the handler's name. */
  readonly handler: string | null
  readonly context: string
  readonly subject: string | null
  readonly correlationId: string | null
  readonly causationId: string | null
  /** Null when it did not come from our outbox (published straight to QStash by someone else). */
  readonly outbox: OutboxState | null
  readonly data: unknown
}

export interface DeliveryAttempt {
  readonly messageId: string | null
  readonly retried: number
  readonly status: number
  readonly outcome: string | null
  readonly durationMs: number
  readonly at: string
}

/**
 * `delivered` a 2xx came back · `failing` the latest attempt failed and QStash may retry (or it
 * is in the DLQ) · `rejected` answered 489: straight to the DLQ · `waiting` nothing attempted
 * yet · `unrecorded` reactions exist but no attempt was logged.
 */
export type DeliveryState = 'delivered' | 'failing' | 'rejected' | 'waiting' | 'unrecorded'

export interface DeliveryNode extends NodeBase {
  readonly kind: 'delivery'
  readonly target: string
  readonly targetKind: 'subscriber' | 'handler'
  /** The handlers that ran (from the inbox), e.g. `reserveStockWhenOrderAwaitingValidation`. */
  readonly handlers: string[]
  readonly attempts: DeliveryAttempt[]
  state: DeliveryState
}

export interface MailNode extends NodeBase {
  readonly kind: 'mail'
  readonly context: string
  readonly mailKind: string
  readonly to: string
  readonly subject: string
}

export type TimelineNode = CommandNode | DomainEventNode | MessageNode | DeliveryNode | MailNode

export interface OrderSummary {
  readonly orderId: string
  readonly buyerId: string
  readonly status: string
  /** Dollars. */
  readonly total: number
  readonly startedAt: string
}

export interface Timeline {
  readonly order: OrderSummary
  /** The services whose parts are joined here (this one first), and whether each answered. */
  readonly services?: readonly { readonly name: string; readonly reachable: boolean }[]
  readonly correlationIds: readonly string[]
  /** Causation roots, oldest first: commands, then anything whose cause is not in view. */
  readonly roots: TimelineNode[]
  readonly counts: {
    readonly domainEvents: number
    readonly integrationEvents: number
    readonly jobs: number
    readonly deliveryAttempts: number
    readonly failedAttempts: number
    readonly mails: number
  }
  /** Deliveries whose latest attempt failed (message ids, to match dead letters). */
  readonly failing: readonly { readonly target: string; readonly type: string; readonly messageIds: readonly string[] }[]
}

// ---------------------------------------------------------------------------------------------
// Rows, as read from the tables

export interface OutboxRow {
  readonly seq: number
  readonly id: string
  readonly kind: 'integration' | 'after-commit'
  readonly topic: string
  readonly status: OutboxStatus
  readonly attempts: number
  readonly notBefore: string | null
  readonly nextAttemptAt: string
  readonly lastError: string | null
  readonly messageId: string | null
  readonly createdAt: string
  readonly publishedAt: string | null
  readonly payload: Record<string, unknown>
  readonly commitId?: string | null
}

export interface InboxRow {
  readonly eventId: string
  readonly subscriber: string
  /** The handling commit: its domain events, outbox rows and mails carry the same id. */
  readonly commitId?: string | null
  /** The handling commit's clock reading: its domain events, outbox rows and mails carry the same. */
  readonly receivedAt?: string
}

export interface MailRow {
  readonly id: string
  /** The commit that wrote it (the delivery's). */
  readonly commitId?: string | null
  /** The context that wrote it (default `notifications`). */
  readonly context?: string
  readonly kind: string
  readonly recipient: string
  readonly subject: string
  readonly eventId: string
  readonly createdAt: string
}

/**
 * What a context shows on the dashboard. One context of a service lists the chains (`subjects`:
 * in the reference service, Ordering's orders); any context may add the rows it wrote in
 * reaction to a message (`reactions`: Notifications' mails).
 */
export interface ContextDashboard {
  readonly subjects?: {
    /** The aggregate whose streams start the chains. */
    readonly aggregateType: string
    /** Newest first. */
    list(limit: number): Promise<OrderSummary[]>
    find(ids: readonly string[]): Promise<OrderSummary[]>
    /** How a subject moves (the page's progress steps), from the context that owns the status machine. */
    readonly statuses?: StatusMachine
  }
  readonly reactions?: (messageIds: readonly string[], subject: OrderSummary) => Promise<MailRow[]>
}

export interface TimelineOptions {
  /** Which context owns an aggregate's domain events (by default the lowercased type). */
  readonly aggregateContexts?: Readonly<Record<string, string>>
  /** The subscriber contexts a CloudEvents type is delivered to (from the URL-group plan). */
  readonly expectedTargets?: (cloudEventType: string) => readonly string[]
}

const KIND_RANK: Record<TimelineNode['kind'], number> = { command: 0, domain: 1, job: 2, integration: 3, delivery: 4, mail: 5 }

/**
 * Builds the causation tree from the rows of one conversation. Pure: the reader below feeds it,
 * tests can too.
 */
export function buildTimeline(
  input: {
    order: OrderSummary
    correlationIds: readonly string[]
    events: readonly StoredEvent[]
    outbox: readonly OutboxRow[]
    deliveries: readonly LoggedDelivery[]
    inbox: readonly InboxRow[]
    mails: readonly MailRow[]
  },
  options: TimelineOptions = {},
): Timeline {
  const aggregateContexts = options.aggregateContexts ?? {}
  const contextOfAggregate = (type: string) => aggregateContexts[type] ?? type.toLowerCase()
  const seq = new Map<TimelineNode, number>()
  const roots: TimelineNode[] = []
  /**
   * Which commit wrote a node: the unit of work's commit id, exact; for rows written before commit
   * ids existed, the commit's one clock reading (`@<instant>`), which two commits may share.
   */
  const commits = new Map<TimelineNode, string | null>()
  const commitKey = (commitId: string | null | undefined, at: string | null) => commitId ?? (at === null ? null : `@${at}`)

  // Domain events.
  const domainById = new Map<string, DomainEventNode>()
  for (const e of input.events) {
    const node: DomainEventNode = {
      kind: 'domain',
      id: e.id,
      at: e.occurredAt,
      type: e.type,
      context: contextOfAggregate(e.aggregateType),
      aggregateType: e.aggregateType,
      aggregateId: e.aggregateId,
      version: e.version,
      position: e.position,
      correlationId: e.correlationId,
      causationId: e.causationId,
      data: e.data,
      children: [],
    }
    domainById.set(e.id, node)
    seq.set(node, e.position)
    commits.set(node, commitKey(e.commitId, e.occurredAt))
  }

  // Outbox rows: integration events and after-commit jobs.
  const messageById = new Map<string, MessageNode>()
  const jobsByCause = new Map<string, MessageNode[]>()
  for (const row of input.outbox) {
    const p = row.payload
    const outbox: OutboxState = {
      status: row.status,
      attempts: row.attempts,
      lastError: row.lastError,
      notBefore: row.notBefore,
      nextAttemptAt: row.nextAttemptAt,
      publishedAt: row.publishedAt,
      messageIds: row.messageId ? row.messageId.split(',').filter(Boolean) : [],
    }
    const node: MessageNode =
      row.kind === 'integration'
        ? {
            kind: 'integration',
            id: row.id,
            at: row.createdAt,
            type: row.topic,
            handler: null,
            context: str(p.source) ?? parseEventType(row.topic)?.source ?? 'unknown',
            subject: str(p.subject),
            correlationId: str(p.correlationId),
            causationId: str(p.causationId),
            outbox,
            data: p.data,
            children: [],
          }
        : {
            kind: 'job',
            id: row.id,
            at: row.createdAt,
            type: str(p.type) ?? 'unknown',
            handler: parseJobTopic(row.topic) ?? row.topic,
            context: contextOfAggregate(str(p.aggregateType) ?? ''),
            subject: str(p.aggregateId),
            correlationId: str(p.correlationId),
            causationId: str(p.id),
            outbox,
            data: undefined,
            children: [],
          }
    messageById.set(row.id, node)
    seq.set(node, row.seq)
    commits.set(node, commitKey(row.commitId, row.createdAt))
    if (node.kind === 'job' && node.causationId) jobsByCause.set(node.causationId, [...(jobsByCause.get(node.causationId) ?? []), node])
  }

  // Delivery attempts, grouped per (message, target).
  const groups = new Map<string, DeliveryNode>()
  const groupKey = (messageId: string, target: string) => `${messageId}\u0000${target}`
  const handlersOf = new Map<string, string[]>()
  /** message id → handling commit → the target whose handling commit that was (from the inbox). */
  const handledIn = new Map<string, Map<string, string>>()
  for (const { eventId, subscriber, receivedAt, commitId } of input.inbox) {
    const { target, handler } = parseInboxKey(subscriber)
    const key = groupKey(eventId, target)
    handlersOf.set(key, [...(handlersOf.get(key) ?? []), handler])
    const commit = commitKey(commitId, receivedAt ?? null)
    if (commit) handledIn.set(eventId, (handledIn.get(eventId) ?? new Map()).set(commit, target))
  }
  /** The target whose handling of `messageId` was the commit `commit`, if the inbox says so. */
  const committedBy = (messageId: string, commit: string | null | undefined) => (commit == null ? undefined : handledIn.get(messageId)?.get(commit))
  const groupFor = (message: MessageNode, target: string): DeliveryNode => {
    const key = groupKey(message.id, target)
    let group = groups.get(key)
    if (!group) {
      group = {
        kind: 'delivery',
        id: `${message.id}→${target}`,
        at: null,
        target,
        targetKind: message.kind === 'job' ? 'handler' : 'subscriber',
        handlers: handlersOf.get(key) ?? [],
        attempts: [],
        state: 'waiting',
        children: [],
      }
      groups.set(key, group)
      message.children.push(group)
    }
    return group
  }

  for (const d of input.deliveries) {
    if (!d.eventId) continue
    let message = messageById.get(d.eventId)
    if (!message) {
      // Delivered to us, but not from our outbox (e.g. published to QStash directly).
      message = {
        kind: d.kind === 'handler' ? 'job' : 'integration',
        id: d.eventId,
        at: d.receivedAt,
        type: d.eventType ?? 'unknown',
        handler: d.kind === 'handler' ? d.target : null,
        context: parseEventType(d.eventType ?? '')?.source ?? 'unknown',
        subject: d.subject,
        correlationId: d.correlationId,
        causationId: d.causationId,
        outbox: null,
        data: undefined,
        children: [],
      }
      messageById.set(d.eventId, message)
      seq.set(message, Number.MAX_SAFE_INTEGER - 1_000_000 + d.id)
    }
    const group = groupFor(message, d.target)
    group.attempts.push({ messageId: d.messageId, retried: d.retried, status: d.status, outcome: d.outcome, durationMs: d.durationMs, at: d.receivedAt })
  }

  // Who should receive what, even before any attempt.
  for (const message of messageById.values()) {
    if (!message.outbox) continue
    if (message.kind === 'job' && message.handler) groupFor(message, message.handler)
    if (message.kind === 'integration') for (const target of options.expectedTargets?.(message.type) ?? []) groupFor(message, target)
  }

  // Reactions to a message land under its delivery to the reacting context: the one whose
  // handling commit (inbox row) wrote the reaction, else the context that owns it.
  const reactionGroup = (message: MessageNode, context: string, commit: string | null | undefined): DeliveryNode => {
    if (message.kind === 'job' && message.handler) return groupFor(message, message.handler)
    const exact = committedBy(message.id, commit)
    if (exact) return groupFor(message, exact)
    const existing = groups.get(groupKey(message.id, context))
    if (existing) return existing
    const candidates = message.children.filter((c): c is DeliveryNode => c.kind === 'delivery')
    if (candidates.length === 1 && !options.expectedTargets) return candidates[0]!
    return groupFor(message, context)
  }

  /**
   * The after-commit job of cause `causeId` whose handling wrote something (commit `commit`, at
   * `at`): the one whose inbox row names that commit, else one delivered by then, else none when
   * it is the cause's own commit.
   */
  const jobFor = (causeId: string, commit: string | null | undefined, at: string | null, causeCommit: string | null | undefined): MessageNode | undefined => {
    const jobs = jobsByCause.get(causeId)
    if (!jobs?.length) return undefined
    const exact = jobs.find((job) => committedBy(job.id, commit) !== undefined)
    if (exact) return exact
    if (commit === causeCommit) return undefined
    const delivered = jobs.filter((job) =>
      job.children.some((g) => g.kind === 'delivery' && g.attempts.some((a) => a.status < 300 && (at === null || a.at <= at))),
    )
    return delivered.at(-1) ?? jobs[0]
  }

  const commands = new Map<string, CommandNode>()
  const attach = (node: TimelineNode, causationId: string | null, context: string, correlationId: string | null) => {
    if (causationId === null) {
      const key = `${correlationId}\u0000${commits.get(node) ?? node.at}`
      let command = commands.get(key)
      if (!command) {
        command = { kind: 'command', id: `command:${correlationId}:${node.at}`, at: node.at, correlationId: correlationId ?? '', context, children: [] }
        commands.set(key, command)
        seq.set(command, seq.get(node) ?? 0)
        roots.push(command)
      }
      command.children.push(node)
      return
    }
    const cause = domainById.get(causationId)
    if (cause) {
      // Same commit as its cause: a direct child. A later commit: a durable after-commit job
      // that the cause scheduled.
      const job = jobFor(causationId, commits.get(node), node.at, commits.get(cause))
      if (job) reactionGroup(job, job.handler ?? context, commits.get(node)).children.push(node)
      else cause.children.push(node)
      return
    }
    const message = messageById.get(causationId)
    if (message) {
      reactionGroup(message, context, commits.get(node)).children.push(node)
      return
    }
    roots.push(node) // its cause is outside this view
  }

  for (const node of domainById.values()) attach(node, node.causationId, node.context, node.correlationId)
  for (const node of [...messageById.values()]) {
    if (node.kind === 'job') {
      const cause = node.causationId ? domainById.get(node.causationId) : undefined
      if (cause) cause.children.push(node)
      else roots.push(node)
    } else if (!node.outbox && !node.causationId) {
      roots.push(node) // seen only as a delivery, with no cause named
    } else {
      attach(node, node.causationId, node.context, node.correlationId)
    }
  }
  let mails = 0
  for (const m of input.mails) {
    const message = messageById.get(m.eventId)
    if (!message) continue
    const context = m.context ?? 'notifications'
    const node: MailNode = { kind: 'mail', id: m.id, at: m.createdAt, context, mailKind: m.kind, to: m.recipient, subject: m.subject, children: [] }
    seq.set(node, 0)
    reactionGroup(message, context, commitKey(m.commitId, m.createdAt)).children.push(node)
    mails++
  }

  // States, then a stable order everywhere: time, then kind, then store order.
  let deliveryAttempts = 0
  let failedAttempts = 0
  const failing: { target: string; type: string; messageIds: string[] }[] = []
  for (const message of messageById.values()) {
    for (const group of message.children) {
      if (group.kind !== 'delivery') continue
      const attempts = group.attempts
      deliveryAttempts += attempts.length
      failedAttempts += attempts.filter((a) => a.status >= 300).length
      const last = attempts.at(-1)
      ;(group as { at: string | null }).at = attempts[0]?.at ?? null
      if (!last) group.state = group.children.length > 0 ? 'unrecorded' : 'waiting'
      else if (attempts.some((a) => a.status < 300)) group.state = 'delivered'
      else {
        group.state = last.status === 489 ? 'rejected' : 'failing'
        failing.push({
          target: group.target,
          type: message.type,
          messageIds: [...new Set(attempts.map((a) => a.messageId).filter((id): id is string => !!id))],
        })
      }
    }
  }
  const sortTree = (nodes: TimelineNode[]) => {
    nodes.sort((a, b) => {
      if (a.at !== b.at) return a.at === null ? 1 : b.at === null ? -1 : a.at < b.at ? -1 : 1
      if (KIND_RANK[a.kind] !== KIND_RANK[b.kind]) return KIND_RANK[a.kind] - KIND_RANK[b.kind]
      if (a.kind === 'delivery' && b.kind === 'delivery') return a.target.localeCompare(b.target)
      return (seq.get(a) ?? 0) - (seq.get(b) ?? 0)
    })
    for (const node of nodes) sortTree(node.children)
  }
  sortTree(roots)

  const messages = [...messageById.values()]
  return {
    order: input.order,
    correlationIds: input.correlationIds,
    roots,
    counts: {
      domainEvents: domainById.size,
      integrationEvents: messages.filter((m) => m.kind === 'integration').length,
      jobs: messages.filter((m) => m.kind === 'job').length,
      deliveryAttempts,
      failedAttempts,
      mails,
    },
    failing,
  }
}

// ---------------------------------------------------------------------------------------------
// Reading it from the database

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

const LIMIT = { events: 1000, outbox: 1000, deliveries: 3000 }

/**
 * The dashboard's read side: the toolkit's tables (event store, outbox, inbox, delivery log),
 * plus what the contexts declare they show (`ContextDashboard`). It never names a context's table.
 */
export function timelineReader(
  deps: {
    database: Database
    deliveryLog: DeliveryLog
    dashboards?: readonly ContextDashboard[]
    /** This service's name on the dashboard (`HERALD_SERVICE`). */
    serviceName?: string
    /** Other services whose parts of a chain the timeline joins (`HERALD_PEERS`). */
    peers?: readonly Peer[]
    /** Opens the sealed personal data in event data (erased data reads `"[erased]"`). */
    reveal?: (data: unknown) => Promise<unknown>
  } & TimelineOptions,
) {
  const { database, deliveryLog } = deps
  const reveal = deps.reveal ?? (async (data: unknown) => data)
  const serviceName = deps.serviceName ?? 'herald'
  const peers = deps.peers ?? []
  const { client } = database
  const subjects = deps.dashboards?.find((d) => d.subjects)?.subjects
  const reactions = (deps.dashboards ?? []).flatMap((d) => (d.reactions ? [d.reactions] : []))
  const orderType = subjects?.aggregateType ?? ''

  return {
    async orders(limit = 30): Promise<OrderListItem[]> {
      const summaries = subjects ? await subjects.list(limit) : []
      if (summaries.length === 0) return []
      const ids = summaries.map((s) => s.orderId)
      const inList = parameters(ids)
      const { rows } = await client.execute({
        sql: `SELECT s.value AS id,
            (SELECT MAX(e.occurred_at) FROM domain_events e WHERE e.aggregate_type = ? AND e.aggregate_id = s.value) AS last_event_at,
            (SELECT COUNT(*) FROM delivery_log d WHERE d.subject = s.value AND d.status >= 300) AS failed_attempts,
            (SELECT COUNT(DISTINCT d.event_id || ' ' || d.target) FROM delivery_log d WHERE d.subject = s.value AND d.status >= 300
              AND NOT EXISTS (SELECT 1 FROM delivery_log x WHERE x.event_id = d.event_id AND x.target = d.target AND x.status < 300)
            ) AS failing_deliveries
          FROM json_each(json_array(${inList})) s`,
        args: [orderType, ...ids],
      })
      const stats = new Map(rows.map((r) => [String(r.id), r]))
      return summaries.map((summary) => {
        const r = stats.get(summary.orderId)
        return {
          ...summary,
          lastEventAt: r?.last_event_at == null ? null : String(r.last_event_at),
          failedAttempts: Number(r?.failed_attempts ?? 0),
          failingDeliveries: Number(r?.failing_deliveries ?? 0),
        }
      })
    },

    /** This service's name and the peers whose parts its timelines join. */
    service: () => ({ name: serviceName, peers: peers.map((peer) => peer.name ?? peer.url) }),

    async timeline(orderId: string): Promise<Timeline | undefined> {
      const [order] = subjects ? await subjects.find([orderId]) : []
      if (!order) return undefined
      const conversations = await client.execute({
        sql: `SELECT correlation_id, MIN(occurred_at) AS since FROM domain_events
          WHERE aggregate_type = ? AND aggregate_id = ? GROUP BY correlation_id`,
        args: [orderType, orderId],
      })
      const correlationIds = conversations.rows.map((r) => String(r.correlation_id))
      const since = conversations.rows.map((r) => String(r.since)).sort()[0] ?? order.startedAt
      const query = { correlationIds, since, subject: order }
      const parts = [await this.conversation(query), ...(await Promise.all(peers.map((peer) => fromPeer(peer, query))))]
      const found = parts.filter((part): part is ConversationRows => part !== undefined)
      return {
        ...buildTimeline({ order, correlationIds, ...merge(found) }, deps),
        services: [{ name: serviceName, reachable: true }, ...peers.map((peer, i) => ({ name: peer.name ?? peer.url, reachable: parts[i + 1] !== undefined }))],
      }
    },

    /**
     * This service's part of some conversations: what it stored of them (events, outbox rows,
     * deliveries, inbox rows, reactions). A peer's dashboard asks for it to join one chain across
     * services.
     */
    async conversation({ correlationIds, since, subject }: ConversationQuery): Promise<ConversationRows> {
      if (correlationIds.length === 0) return { events: [], outbox: [], deliveries: [], inbox: [], mails: [] }
      const inList = parameters(correlationIds)
      // The time bound keeps these scans to the rows written since the chain started (see the
      // report: an index on correlation would make them lookups).
      const eventRows = await client.execute({
        sql: `SELECT ${STORED_EVENT_COLUMNS} FROM domain_events WHERE occurred_at >= ? AND correlation_id IN (${inList}) ORDER BY position LIMIT ?`,
        args: [since, ...correlationIds, LIMIT.events],
      })
      const outboxRows = await client.execute({
        sql: `SELECT rowid AS seq, id, kind, topic, status, attempts, not_before, next_attempt_at, last_error, message_id, created_at,
            published_at, payload, commit_id
          FROM outbox WHERE created_at >= ? AND json_valid(payload) AND json_extract(payload, '$.correlationId') IN (${inList})
          ORDER BY rowid LIMIT ?`,
        args: [since, ...correlationIds, LIMIT.outbox],
      })
      const events = await Promise.all(
        eventRows.rows.map(async (row) => {
          const event = toStoredEvent(row)
          return { ...event, data: await reveal(event.data) }
        }),
      )
      const outbox: OutboxRow[] = outboxRows.rows.map((r) => ({
        seq: Number(r.seq),
        id: String(r.id),
        kind: String(r.kind) as OutboxRow['kind'],
        topic: String(r.topic),
        status: String(r.status) as OutboxStatus,
        attempts: Number(r.attempts),
        notBefore: nullable(r.not_before),
        nextAttemptAt: String(r.next_attempt_at),
        lastError: nullable(r.last_error),
        messageId: nullable(r.message_id),
        createdAt: String(r.created_at),
        publishedAt: nullable(r.published_at),
        payload: (parseJson(r.payload) ?? {}) as Record<string, unknown>,
        commitId: nullable(r.commit_id),
      }))
      const deliveries = await deliveryLog.find({ correlationIds, eventIds: outbox.map((o) => o.id), limit: LIMIT.deliveries })
      const messageIds = [...new Set([...outbox.map((o) => o.id), ...deliveries.flatMap((d) => (d.eventId ? [d.eventId] : []))])]
      const inbox = messageIds.length
        ? (
            await client.execute({
              sql: `SELECT event_id, subscriber, received_at, commit_id FROM inbox WHERE event_id IN (${parameters(messageIds)})`,
              args: messageIds,
            })
          ).rows.map((r) => ({
            eventId: String(r.event_id),
            subscriber: String(r.subscriber),
            receivedAt: String(r.received_at),
            commitId: nullable(r.commit_id),
          }))
        : []
      const mails = messageIds.length ? await reactionsTo(messageIds, subject) : []
      return { events, outbox, deliveries, inbox, mails }
    },

    async outbox(options: { limit?: number; published?: number } = {}) {
      const counts = await client.execute('SELECT status, COUNT(*) AS n FROM outbox GROUP BY status')
      const select = `SELECT id, kind, topic, status, attempts, last_error, not_before, next_attempt_at, created_at, published_at, subject
        FROM (SELECT rowid AS seq, *, CASE WHEN json_valid(payload)
            THEN COALESCE(json_extract(payload, '$.subject'), json_extract(payload, '$.aggregateId')) END AS subject FROM outbox`
      const waiting = await client.execute({
        sql: `${select} WHERE status IN ('pending', 'failed') ORDER BY seq DESC LIMIT ?)`,
        args: [options.limit ?? 100],
      })
      const published = await client.execute({ sql: `${select} WHERE status = 'published' ORDER BY seq DESC LIMIT ?)`, args: [options.published ?? 15] })
      const mentioned = [...new Set([...waiting.rows, ...published.rows].flatMap((r) => (r.subject == null ? [] : [String(r.subject)])))]
      const known = new Set(subjects && mentioned.length ? (await subjects.find(mentioned)).map((s) => s.orderId) : [])
      const toItem = (r: Record<string, unknown>): OutboxListItem => ({
        id: String(r.id),
        kind: String(r.kind) as OutboxListItem['kind'],
        topic: String(r.topic),
        status: String(r.status) as OutboxStatus,
        attempts: Number(r.attempts),
        lastError: nullable(r.last_error),
        notBefore: nullable(r.not_before),
        nextAttemptAt: String(r.next_attempt_at),
        createdAt: String(r.created_at),
        publishedAt: nullable(r.published_at),
        subject: nullable(r.subject),
        orderId: r.subject != null && known.has(String(r.subject)) ? String(r.subject) : null,
      })
      return {
        counts: { pending: 0, published: 0, failed: 0, ...Object.fromEntries(counts.rows.map((r) => [String(r.status), Number(r.n)])) },
        waiting: waiting.rows.map(toItem),
        published: published.rows.map(toItem),
      }
    },
  }

  async function reactionsTo(messageIds: readonly string[], subject: OrderSummary): Promise<MailRow[]> {
    const rows = await Promise.all(
      // A context's reactions are a dev convenience (the mail sink): the timeline never depends on them.
      reactions.map((read) => read(messageIds, subject).catch(() => [] as MailRow[])),
    )
    return rows.flat().sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0))
  }
}

export type TimelineReader = ReturnType<typeof timelineReader>

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

const nullable = (value: unknown) => (value === null || value === undefined ? null : String(value))
const str = (value: unknown) => (typeof value === 'string' ? value : null)

function parseJson(value: unknown): unknown {
  try {
    return JSON.parse(String(value))
  } catch {
    return undefined
  }
}
