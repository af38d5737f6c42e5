import type { StatusMachine } from '../hono/dashboard/statuses.ts'
import { parseEventType, parseInboxKey, parseJobTopic } from '../../kernel/index.ts'
import type { InboxRow } from '../messaging/inbox.ts'
import type { OutboxRow, OutboxStatus } from '../outbox/store.ts'
import type { StoredEvent } from '../store/event-store.ts'
import type { LoggedDelivery } from './delivery-log.ts'

export type { InboxRow, OutboxRow, OutboxStatus }

/*
 * A subject's story across contexts (a subject is whatever a context declares its chains start
 * from: an order, a loan), as a causation tree. Everything in one conversation shares
 * the correlation id of the request that started it; `causationId` says what directly caused
 * each thing:
 *
 *   domain event ──(same commit)──────────────► domain event / integration event / job
 *   job (after-commit outbox row) ─► delivery ─► domain events of the job's commit
 *   integration event ─► delivery to a context ─► that context's reactions
 *                        (domain events, integration events, rows it declares as reactions)
 *
 * Which commit produced what is exact, not guessed: one unit of work stamps everything it
 * writes (events, outbox rows, reaction rows, its inbox row) with ONE clock reading, so a reaction
 * belongs to the delivery whose inbox row has its timestamp.
 */

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

/** Something a context wrote in reaction to a delivery and declared for the dashboard (e.g. a sent mail). */
export interface ReactionNode extends NodeBase {
  readonly kind: 'reaction'
  readonly context: string
  /** The sort of reaction, as the context names it (e.g. `order-paid`). */
  readonly reactionKind: string
  readonly label: string
  readonly detail: string | null
}

export type TimelineNode = CommandNode | DomainEventNode | MessageNode | DeliveryNode | ReactionNode

/** One labelled fact of a subject, already formatted by its context (`{ label: 'total', value: '$40.00' }`). */
export interface SubjectFact {
  readonly label: string
  readonly value: string
}

/**
 * A subject as its context summarises it for the dashboard: what the page lists and heads a
 * timeline with. The toolkit only shows it; the context decides every word.
 */
export interface SubjectSummary {
  readonly id: string
  /** Its headline (default: the subject's name and a short id). */
  readonly title?: string
  readonly status: string
  /** A few labelled facts, in the order shown. */
  readonly facts?: readonly SubjectFact[]
  /** Who it belongs to (a buyer, a member); contexts' reactions may be read by it. */
  readonly owner?: { readonly label: string; readonly id: string }
  /** ISO-8601: when its chain began (unknown to a context that keeps no time for it). */
  readonly startedAt?: string
}

/** A subject of a declared kind (the kind's name is on every summary the reader hands out). */
export interface KindedSubject extends SubjectSummary {
  /** The subject kind's name (`order`, `loan`). */
  readonly kind: string
}

export interface Timeline {
  readonly subject: KindedSubject
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
    readonly reactions: number
  }
  /** Deliveries whose latest attempt failed (message ids, to match dead letters). */
  readonly failing: readonly { readonly target: string; readonly type: string; readonly messageIds: readonly string[] }[]
}

// ---------------------------------------------------------------------------------------------
// Rows, as read by each table's owner (outbox and inbox rows: see OutboxRow, InboxRow), and what
// the contexts declare

/** A row a context wrote in reaction to a message (a kind, a label, a time, a detail). */
export interface Reaction {
  readonly id: string
  /** The message (CloudEvent id or job id) it reacted to. */
  readonly eventId: string
  /** The sort of reaction, as the context names it (e.g. `order-paid`). */
  readonly kind: string
  /** Its headline (e.g. a mail's subject line). */
  readonly label: string
  /** ISO-8601. */
  readonly at: string
  /** One more line (e.g. `mail to a@example.com`). */
  readonly detail?: string | null
  /** The context that wrote it (default: the one that declared it). */
  readonly context?: string
  /** The commit that wrote it (the delivery's), for exact placing. */
  readonly commitId?: string | null
}

/**
 * A kind of subject a context declares: what the dashboard lists, and where each chain starts.
 *
 * @example
 * subjects: {
 *   name: 'loan', aggregateType: 'Loan',
 *   list: async (limit) => (await newestLoans(limit)).map(summary),
 *   find: async (ids) => (await loansById(ids)).map(summary),
 * }
 */
export interface SubjectKind {
  /** What one is called on the page (`order`, `loan`). */
  readonly name: string
  /** What several are called (default: the name and an s). */
  readonly plural?: string
  /**
   * The aggregate whose streams start the chains. Without one (a context that keeps rows, not
   * streams, about a subject), the chains are found from the deliveries about the subject: the
   * CloudEvents whose `subject` is its id.
   */
  readonly aggregateType?: string
  /** Newest first. */
  list(limit: number): Promise<SubjectSummary[]>
  find(ids: readonly string[]): Promise<SubjectSummary[]>
  /** How a subject moves (the page's progress steps), from the context that owns the status machine. */
  readonly statuses?: StatusMachine
  /** A sentence the page shows about them (e.g. what they wait for). */
  readonly hint?: string
}

/** Something the page's demo form can start: each scenario makes one subject. */
export interface DemoDeclaration {
  readonly scenarios: readonly { readonly name: string; readonly label: string }[]
  /** Runs one scenario; answers the subject it made. */
  start(scenario: string): Promise<{ readonly id: string }>
}

/**
 * What a context shows on the dashboard: the subjects whose chains it starts (`subjects`), the
 * rows it wrote in reaction to a message (`reactions`), and a demo the page may offer (`demo`).
 */
export interface ContextDashboard {
  readonly subjects?: SubjectKind
  /** Its reactions to some messages, about one subject (read them by its id or owner). */
  readonly reactions?: (messageIds: readonly string[], subject: SubjectSummary) => Promise<Reaction[]>
  readonly demo?: DemoDeclaration
}

export interface TimelineOptions {
  /** Which context owns an aggregate's domain events (by default the lowercased type). */
  readonly aggregateContexts?: Readonly<Record<string, string>>
  /** The subscriber contexts a CloudEvents type is delivered to (from the URL-group plan). */
  readonly expectedTargets?: (cloudEventType: string) => readonly string[]
}

const KIND_RANK: Record<TimelineNode['kind'], number> = { command: 0, domain: 1, job: 2, integration: 3, delivery: 4, reaction: 5 }

export interface TimelineInput {
  readonly subject: KindedSubject
  readonly correlationIds: readonly string[]
  readonly events: readonly StoredEvent[]
  readonly outbox: readonly OutboxRow[]
  readonly deliveries: readonly LoggedDelivery[]
  readonly inbox: readonly InboxRow[]
  readonly reactions: readonly Reaction[]
}

/**
 * Builds the causation tree from the rows of one conversation. Pure: the reader feeds it, tests
 * can too. The steps run in this order because each one needs what the ones before placed.
 */
export function buildTimeline(input: TimelineInput, options: TimelineOptions = {}): Timeline {
  const tree = new TimelineTree(options)
  tree.addDomainEvents(input.events)
  tree.addOutboxRows(input.outbox)
  tree.readInbox(input.inbox)
  tree.addAttempts(input.deliveries)
  tree.expectDeliveries()
  tree.attachCauses()
  const reactions = tree.attachReactions(input.reactions)
  const { deliveryAttempts, failedAttempts, failing } = tree.settleDeliveries()
  const roots = tree.sortedRoots()
  const messages = [...tree.messages.values()]
  return {
    subject: input.subject,
    correlationIds: input.correlationIds,
    roots,
    counts: {
      domainEvents: tree.domainEvents.size,
      integrationEvents: messages.filter((m) => m.kind === 'integration').length,
      jobs: messages.filter((m) => m.kind === 'job').length,
      deliveryAttempts,
      failedAttempts,
      reactions,
    },
    failing,
  }
}

/** A delivery node while the tree is built: its first attempt's time and its state are settled last. */
type OpenDelivery = { -readonly [K in keyof DeliveryNode]: DeliveryNode[K] }

type Failing = Timeline['failing'][number]

/**
 * The tree under construction: the nodes by id, and which commit wrote each (the unit of work's
 * commit id, exact; for rows written before commit ids existed, the commit's one clock reading,
 * `@<instant>`, which two commits may share).
 */
class TimelineTree {
  readonly domainEvents = new Map<string, DomainEventNode>()
  readonly messages = new Map<string, MessageNode>()
  private readonly jobsByCause = new Map<string, MessageNode[]>()
  private readonly roots: TimelineNode[] = []
  private readonly seq = new Map<TimelineNode, number>()
  private readonly commits = new Map<TimelineNode, string | null>()
  private readonly commands = new Map<string, CommandNode>()
  /** Delivery nodes per (message, target). */
  private readonly groups = new Map<string, OpenDelivery>()
  /** The handlers that ran per (message, target), from the inbox. */
  private readonly handlersOf = new Map<string, string[]>()
  /** message id → handling commit → the target whose handling commit that was (from the inbox). */
  private readonly handledIn = new Map<string, Map<string, string>>()

  constructor(private readonly options: TimelineOptions) {}

  private contextOf(aggregateType: string): string {
    return this.options.aggregateContexts?.[aggregateType] ?? aggregateType.toLowerCase()
  }

  private place(node: TimelineNode, seq: number, commit?: string | null): void {
    this.seq.set(node, seq)
    if (commit !== undefined) this.commits.set(node, commit)
  }

  addDomainEvents(events: readonly StoredEvent[]): void {
    for (const e of events) {
      const node = domainNode(e, this.contextOf(e.aggregateType))
      this.domainEvents.set(e.id, node)
      this.place(node, e.position, commitKey(e.commitId, e.occurredAt))
    }
  }

  /** Integration events and after-commit jobs. */
  addOutboxRows(rows: readonly OutboxRow[]): void {
    for (const row of rows) {
      const node = messageNode(row, (type) => this.contextOf(type))
      this.messages.set(row.id, node)
      this.place(node, row.seq, commitKey(row.commitId, row.createdAt))
      if (node.kind === 'job' && node.causationId) this.jobsByCause.set(node.causationId, [...(this.jobsByCause.get(node.causationId) ?? []), node])
    }
  }

  readInbox(inbox: readonly InboxRow[]): void {
    for (const { eventId, subscriber, receivedAt, commitId } of inbox) {
      const { target, handler } = parseInboxKey(subscriber)
      const key = groupKey(eventId, target)
      this.handlersOf.set(key, [...(this.handlersOf.get(key) ?? []), handler])
      const commit = commitKey(commitId, receivedAt ?? null)
      if (commit) this.handledIn.set(eventId, (this.handledIn.get(eventId) ?? new Map()).set(commit, target))
    }
  }

  /** Delivery attempts, grouped per (message, target); a message seen only here gets a node of its own. */
  addAttempts(deliveries: readonly LoggedDelivery[]): void {
    for (const d of deliveries) {
      if (!d.eventId) continue
      let message = this.messages.get(d.eventId)
      if (!message) {
        message = deliveredOnly(d, d.eventId)
        this.messages.set(d.eventId, message)
        this.place(message, Number.MAX_SAFE_INTEGER - 1_000_000 + d.id)
      }
      const attempt = { messageId: d.messageId, retried: d.retried, status: d.status, outcome: d.outcome, durationMs: d.durationMs, at: d.receivedAt }
      this.groupFor(message, d.target).attempts.push(attempt)
    }
  }

  /** Who should receive what, even before any attempt. */
  expectDeliveries(): void {
    for (const message of this.messages.values()) {
      if (!message.outbox) continue
      if (message.kind === 'job' && message.handler) this.groupFor(message, message.handler)
      if (message.kind === 'integration') for (const target of this.options.expectedTargets?.(message.type) ?? []) this.groupFor(message, target)
    }
  }

  /** Hangs every event and message under its cause (or a command, or the roots). */
  attachCauses(): void {
    for (const node of this.domainEvents.values()) this.attach(node, node.causationId, node.context, node.correlationId)
    for (const node of [...this.messages.values()]) {
      if (node.kind === 'job') {
        const cause = node.causationId ? this.domainEvents.get(node.causationId) : undefined
        if (cause) cause.children.push(node)
        else this.roots.push(node)
      } else if (!node.outbox && !node.causationId) {
        this.roots.push(node) // seen only as a delivery, with no cause named
      } else {
        this.attach(node, node.causationId, node.context, node.correlationId)
      }
    }
  }

  /** Reactions under the delivery that wrote them; how many were placed. */
  attachReactions(reactions: readonly Reaction[]): number {
    let placed = 0
    for (const r of reactions) {
      const message = this.messages.get(r.eventId)
      if (!message) continue
      const context = r.context ?? 'unknown'
      const node: ReactionNode = { kind: 'reaction', id: r.id, at: r.at, context, reactionKind: r.kind, label: r.label, detail: r.detail ?? null, children: [] }
      this.place(node, 0)
      this.reactionGroup(message, context, commitKey(r.commitId, r.at)).children.push(node)
      placed++
    }
    return placed
  }

  /** Each delivery's time (its first attempt) and state, and the attempt counts. */
  settleDeliveries(): { deliveryAttempts: number; failedAttempts: number; failing: Failing[] } {
    let deliveryAttempts = 0
    let failedAttempts = 0
    const failing: Failing[] = []
    for (const message of this.messages.values()) {
      for (const child of message.children) {
        if (child.kind !== 'delivery') continue
        const group = this.groups.get(groupKey(message.id, child.target))!
        deliveryAttempts += group.attempts.length
        failedAttempts += group.attempts.filter((a) => a.status >= 300).length
        group.at = group.attempts[0]?.at ?? null
        group.state = deliveryState(group)
        if (group.state === 'failing' || group.state === 'rejected') {
          failing.push({
            target: group.target,
            type: message.type,
            messageIds: [...new Set(group.attempts.flatMap((a) => (a.messageId ? [a.messageId] : [])))],
          })
        }
      }
    }
    return { deliveryAttempts, failedAttempts, failing }
  }

  /** The roots, in a stable order everywhere: time, then kind, then store order. */
  sortedRoots(): TimelineNode[] {
    const sortTree = (nodes: TimelineNode[]) => {
      nodes.sort((a, b) => {
        if (a.at !== b.at) return a.at === null ? 1 : b.at === null ? -1 : a.at < b.at ? -1 : 1
        if (KIND_RANK[a.kind] !== KIND_RANK[b.kind]) return KIND_RANK[a.kind] - KIND_RANK[b.kind]
        if (a.kind === 'delivery' && b.kind === 'delivery') return a.target.localeCompare(b.target)
        return (this.seq.get(a) ?? 0) - (this.seq.get(b) ?? 0)
      })
      for (const node of nodes) sortTree(node.children)
    }
    sortTree(this.roots)
    return this.roots
  }

  private groupFor(message: MessageNode, target: string): OpenDelivery {
    const key = groupKey(message.id, target)
    const existing = this.groups.get(key)
    if (existing) return existing
    const group: OpenDelivery = {
      kind: 'delivery',
      id: `${message.id}→${target}`,
      at: null,
      target,
      targetKind: message.kind === 'job' ? 'handler' : 'subscriber',
      handlers: this.handlersOf.get(key) ?? [],
      attempts: [],
      state: 'waiting',
      children: [],
    }
    this.groups.set(key, group)
    message.children.push(group)
    return group
  }

  /** The target whose handling of `messageId` was the commit `commit`, if the inbox says so. */
  private committedBy(messageId: string, commit: string | null | undefined): string | undefined {
    return commit == null ? undefined : this.handledIn.get(messageId)?.get(commit)
  }

  /**
   * Reactions to a message land under its delivery to the reacting context: the one whose
   * handling commit (inbox row) wrote the reaction, else the context that owns it.
   */
  private reactionGroup(message: MessageNode, context: string, commit: string | null | undefined): OpenDelivery {
    if (message.kind === 'job' && message.handler) return this.groupFor(message, message.handler)
    const exact = this.committedBy(message.id, commit)
    if (exact) return this.groupFor(message, exact)
    const existing = this.groups.get(groupKey(message.id, context))
    if (existing) return existing
    const candidates = message.children.filter((c) => c.kind === 'delivery')
    if (candidates.length === 1 && !this.options.expectedTargets) return this.groupFor(message, candidates[0]!.target)
    return this.groupFor(message, context)
  }

  /**
   * The after-commit job of cause `causeId` whose handling wrote something (commit `commit`, at
   * `at`): the one whose inbox row names that commit, else one delivered by then, else none when
   * it is the cause's own commit.
   */
  private jobFor(causeId: string, commit: string | null | undefined, at: string | null, causeCommit: string | null | undefined): MessageNode | undefined {
    const jobs = this.jobsByCause.get(causeId)
    if (!jobs?.length) return undefined
    const exact = jobs.find((job) => this.committedBy(job.id, commit) !== undefined)
    if (exact) return exact
    if (commit === causeCommit) return undefined
    const delivered = jobs.filter((job) =>
      job.children.some((g) => g.kind === 'delivery' && g.attempts.some((a) => a.status < 300 && (at === null || a.at <= at))),
    )
    return delivered.at(-1) ?? jobs[0]
  }

  private attach(node: TimelineNode, causationId: string | null, context: string, correlationId: string | null): void {
    if (causationId === null) return void this.commandFor(node, context, correlationId).children.push(node)
    const cause = this.domainEvents.get(causationId)
    if (cause) {
      // Same commit as its cause: a direct child. A later commit: a durable after-commit job
      // that the cause scheduled.
      const job = this.jobFor(causationId, this.commits.get(node), node.at, this.commits.get(cause))
      if (job) this.reactionGroup(job, job.handler ?? context, this.commits.get(node)).children.push(node)
      else cause.children.push(node)
      return
    }
    const message = this.messages.get(causationId)
    if (message) return void this.reactionGroup(message, context, this.commits.get(node)).children.push(node)
    this.roots.push(node) // its cause is outside this view
  }

  /** The HTTP command that wrote `node` with no cause: one per (conversation, commit). */
  private commandFor(node: TimelineNode, context: string, correlationId: string | null): CommandNode {
    const key = `${correlationId}\u0000${this.commits.get(node) ?? node.at}`
    const known = this.commands.get(key)
    if (known) return known
    const command: CommandNode = {
      kind: 'command',
      id: `command:${correlationId}:${node.at}`,
      at: node.at,
      correlationId: correlationId ?? '',
      context,
      children: [],
    }
    this.commands.set(key, command)
    this.place(command, this.seq.get(node) ?? 0)
    this.roots.push(command)
    return command
  }
}

const groupKey = (messageId: string, target: string) => `${messageId}\u0000${target}`
const commitKey = (commitId: string | null | undefined, at: string | null) => commitId ?? (at === null ? null : `@${at}`)

function deliveryState(group: Pick<DeliveryNode, 'attempts' | 'children'>): DeliveryState {
  const last = group.attempts.at(-1)
  if (!last) return group.children.length > 0 ? 'unrecorded' : 'waiting'
  if (group.attempts.some((a) => a.status < 300)) return 'delivered'
  return last.status === 489 ? 'rejected' : 'failing'
}

function domainNode(e: StoredEvent, context: string): DomainEventNode {
  return {
    kind: 'domain',
    id: e.id,
    at: e.occurredAt,
    type: e.type,
    context,
    aggregateType: e.aggregateType,
    aggregateId: e.aggregateId,
    version: e.version,
    position: e.position,
    correlationId: e.correlationId,
    causationId: e.causationId,
    data: e.data,
    children: [],
  }
}

function messageNode(row: OutboxRow, contextOf: (aggregateType: string) => string): MessageNode {
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
  const common = { id: row.id, at: row.createdAt, correlationId: str(p.correlationId), outbox, children: [] }
  if (row.kind === 'integration') {
    const context = str(p.source) ?? parseEventType(row.topic)?.source ?? 'unknown'
    return { ...common, kind: 'integration', type: row.topic, handler: null, context, subject: str(p.subject), causationId: str(p.causationId), data: p.data }
  }
  return {
    ...common,
    kind: 'job',
    type: str(p.type) ?? 'unknown',
    handler: parseJobTopic(row.topic) ?? row.topic,
    context: contextOf(str(p.aggregateType) ?? ''),
    subject: str(p.aggregateId),
    causationId: str(p.id),
    data: undefined,
  }
}

/** A message delivered to us but not from our outbox (e.g. published to QStash directly). */
function deliveredOnly(d: LoggedDelivery, id: string): MessageNode {
  return {
    kind: d.kind === 'handler' ? 'job' : 'integration',
    id,
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
}

const str = (value: unknown) => (typeof value === 'string' ? value : null)
