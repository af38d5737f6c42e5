import type { OutboxListItem, ServiceView, SubjectKindView, SubjectListItem, SubjectSummary, Timeline } from '../../../observability/index.ts'
import { clock } from './format.ts'

/** A dead letter as `GET /admin/dead-letters` lists it (QStash's DLQ entry). */
export interface DeadLetter {
  readonly dlqId: string
  readonly messageId: string
  readonly url?: string
  readonly urlGroup?: string
  readonly body?: string
  readonly responseStatus?: number
  readonly responseBody?: string
  /** Scrubbed by the service, 300 characters at most. */
  readonly responseExcerpt?: string
  /** The problem `code` the handler answered with. */
  readonly responseCode?: string
  readonly maxRetries?: number
  readonly retryDelay?: string
  readonly createdAt?: number | string
}

export interface OutboxView {
  readonly counts: { readonly pending: number; readonly published: number; readonly failed: number }
  readonly waiting: readonly OutboxListItem[]
  readonly published: readonly OutboxListItem[]
}

/** What the page shows before the service says what its subjects are called. */
const UNNAMED: SubjectKindView = { name: 'subject', plural: 'subjects', context: null, statuses: { statuses: [] }, hint: null, demo: [] }

/** What the page knows; each panel renders from it. */
export const state = {
  /** The service (its name, peers and subject kinds), once it answered. */
  service: null as ServiceView | null,
  /** Why the service did not say (no token yet, or an error). */
  serviceError: null as string | null,
  /** The kind of subject the page lists (the service's first, unless the operator chose another). */
  kind: UNNAMED,
  subjects: [] as SubjectListItem[],
  selected: readHash(),
  timeline: null as Timeline | null,
  timelineError: null as string | null,
  outbox: null as OutboxView | null,
  dead: null as DeadLetter[] | null,
  deadError: null as string | null,
  deadNotice: null as string | null,
  deadMessageIds: new Set<string>(),
  expanded: new Set<string>(),
  /** Card keys of the last render, to mark new ones. */
  seen: null as Set<string> | null,
  publishedOpen: false,
  statusOf: new Map<string, string>(),
  /** Which of the timeline's tabs is shown. */
  view: 'chain' as 'chain' | 'waterfall',
}

export function readHash(): string | null {
  const match = /^#subject=([^&]+)/.exec(location.hash)
  return match?.[1] ? decodeURIComponent(match[1]) : null
}

export const subjectHash = (id: string): string => `#subject=${encodeURIComponent(id)}`

/** `Order`, `Loan`: the kind's name as a heading word. */
export const titled = (word: string): string => word.charAt(0).toUpperCase() + word.slice(1)

const FIXED_TONES: Record<string, string> = { published: 'ok', pending: 'warn', failed: 'bad' }

/** The chip tone of a subject's status (declared by its context) or an outbox row's. */
export function toneOf(status: string): string | undefined {
  return state.kind.statuses.statuses.find((s) => s.status === status)?.tone ?? FIXED_TONES[status]
}

/** A subject's one line of facts: its owner, its context's facts, when it started. */
export function factLine(s: SubjectSummary): string {
  const facts = [...(s.owner ? [`${s.owner.label} ${s.owner.id}`] : []), ...(s.facts ?? []).map((f) => `${f.label} ${f.value}`)]
  return [...facts, clock(s.startedAt)].filter(Boolean).join(' · ')
}
