import type { OrderListItem, OutboxListItem, Timeline } from '../../../observability/index.ts'
import { NO_STATUSES, type StatusMachine } from '../statuses.ts'

/** A dead letter as `GET /admin/dead-letters` lists it (QStash's DLQ entry). */
export interface DeadLetter {
  readonly dlqId: string
  readonly messageId: string
  readonly url?: string
  readonly urlGroup?: string
  readonly body?: string
  readonly responseStatus?: number
  readonly responseBody?: string
  readonly createdAt?: number | string
}

export interface OutboxView {
  readonly counts: { readonly pending: number; readonly published: number; readonly failed: number }
  readonly waiting: readonly OutboxListItem[]
  readonly published: readonly OutboxListItem[]
}

/** What the page knows; each panel renders from it. */
export const state = {
  orders: [] as OrderListItem[],
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
  /** The subjects' status machine, from the server. */
  statuses: NO_STATUSES as StatusMachine,
}

export function readHash(): string | null {
  const match = /^#order=([^&]+)/.exec(location.hash)
  return match?.[1] ? decodeURIComponent(match[1]) : null
}

const FIXED_TONES: Record<string, string> = { published: 'ok', pending: 'warn', failed: 'bad' }

/** The chip tone of a subject's status (declared by its context) or an outbox row's. */
export function toneOf(status: string): string | undefined {
  return state.statuses.statuses.find((s) => s.status === status)?.tone ?? FIXED_TONES[status]
}
