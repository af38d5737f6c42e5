import type { DeliveryNode } from '../../../observability/index.ts'
import { clock, duration } from './format.ts'

/*
 * What QStash does with a failed delivery, in words for the page. Pure: no DOM.
 * Any 2xx is success; another status is retried with QStash's backoff, min(1 day, e^(2.5·n)) s
 * before retry n (or the message's own Upstash-Retry-Delay); 489 goes straight to the DLQ.
 */

/** The backoff QStash waits before retry `n` (1, 2, …) by default, in ms. */
export const backoffMs = (n: number): number => Math.min(86_400, Math.exp(2.5 * n)) * 1000

/** `after 12 s, 2.5 min, 30 min` style: the default waits before the first `retries` retries. */
export function defaultSchedule(retries: number): string {
  return Array.from({ length: Math.max(0, retries) }, (_, i) => duration(backoffMs(i + 1))).join(', ')
}

/** Why a 489 has no Retry button. */
export const REFUSED_FOR_GOOD =
  'Not retried: the handler answered 489, which says this message can never be handled as sent (Upstash-NonRetryable-Error). A retry would fail the same way; fix the producer or the contract and publish again.'

/** One line on what happens next to a delivery whose attempts all failed so far. */
export function nextStep(n: Pick<DeliveryNode, 'state' | 'attempts'>, dead: boolean): string | null {
  const last = n.attempts.at(-1)
  if (!last || n.state === 'delivered') return null
  const code = last.outcome ? ` (${last.outcome})` : ''
  if (n.state === 'rejected') return `HTTP 489${code}. ${REFUSED_FOR_GOOD}`
  if (dead) return `HTTP ${last.status}${code} on every attempt: QStash gave up and the message is a dead letter. Retry it from Dead letters once fixed.`
  const retry = last.retried + 1
  const due = Date.parse(last.at) + last.durationMs + backoffMs(retry)
  return `HTTP ${last.status}${code}. QStash retries it: retry ${retry} is due around ${clock(due)} by its default backoff (${duration(backoffMs(retry))} after the failure), until its retries run out.`
}
