import type { DeliveryNode, MessageNode, TimelineNode } from '../../../observability/index.ts'
import { type Child, chip, h } from './dom.ts'
import { clock, cloudEventName, short } from './format.ts'
import { nextStep } from './retries.ts'
import { state } from './state.ts'

/** A card's parts: its title, chips, one line of facts, anything under it, and the JSON details. */
export interface Described {
  readonly title: string
  readonly chips: Child[]
  readonly meta: Child
  readonly extra?: Child
  readonly details: unknown
}

/** The name tests and people find a card by: the event type, handler, target or reaction kind. */
export function nameOf(n: TimelineNode): string {
  switch (n.kind) {
    case 'command':
      return 'command'
    case 'domain':
    case 'integration':
      return n.type
    case 'job':
      return n.handler ?? n.kind
    case 'delivery':
      return n.target
    case 'reaction':
      return n.reactionKind
  }
}

export function describe(n: TimelineNode): Described {
  switch (n.kind) {
    case 'command':
      return {
        title: `Command in ${n.context}`,
        meta: ['correlation ', h('code', { text: short(n.correlationId), title: n.correlationId })],
        chips: [],
        details: { correlationId: n.correlationId },
      }
    case 'domain': {
      // The subject's own stream needs no id (the page is about it); another aggregate's does.
      const aggregate = `${n.aggregateType}${n.aggregateId === state.timeline?.subject.id ? '' : ` ${short(n.aggregateId)}`} v${n.version}`
      return {
        title: n.type,
        chips: [],
        meta: `${n.context} · ${aggregate}`,
        details: {
          id: n.id,
          type: n.type,
          aggregate: `${n.aggregateType}/${n.aggregateId}`,
          version: n.version,
          position: n.position,
          correlationId: n.correlationId,
          causationId: n.causationId,
          data: n.data,
        },
      }
    }
    case 'integration':
    case 'job':
      return describeMessage(n)
    case 'delivery':
      return describeDelivery(n)
    case 'reaction':
      return {
        title: n.label,
        chips: [],
        meta: [n.context, n.reactionKind, n.detail].filter(Boolean).join(' · '),
        details: { id: n.id, context: n.context, kind: n.reactionKind, label: n.label, detail: n.detail },
      }
  }
}

/** An integration event or a job: where its outbox row stands (published, retrying, failed, delayed). */
function describeMessage(n: MessageNode): Described {
  const chips = outboxChips(n.outbox)
  const outbox = n.outbox
  const error = outbox?.lastError && outbox.status !== 'published' ? h('div', { class: 'row-error', text: outbox.lastError }) : null
  if (n.kind === 'job') {
    return {
      title: n.handler ?? n.type,
      chips,
      extra: error,
      meta: ['after-commit job for ', h('code', { text: n.type })],
      details: { id: n.id, handler: n.handler, event: n.type, causationId: n.causationId, outbox },
    }
  }
  const ce = cloudEventName(n.type)
  return {
    title: ce.name,
    chips,
    extra: error,
    meta: [`integration event ${ce.version} from ${n.context} · `, h('code', { text: n.type })],
    details: { id: n.id, type: n.type, subject: n.subject, correlationId: n.correlationId, causationId: n.causationId, outbox, data: n.data },
  }
}

function outboxChips(outbox: MessageNode['outbox']): Child[] {
  const chips: Child[] = []
  if (!outbox) chips.push(chip('not from our outbox', ''))
  else if (outbox.status === 'published') chips.push(chip('published', 'ok', 'published to QStash'))
  else if (outbox.status === 'failed') chips.push(chip(`publish failed ×${outbox.attempts}`, 'bad'))
  else
    chips.push(chip(outbox.attempts ? `in outbox · ${outbox.attempts} ${outbox.attempts === 1 ? 'failed publish' : 'failed publishes'}` : 'in outbox', 'warn'))
  if (outbox?.notBefore) {
    const due = Date.parse(outbox.notBefore)
    chips.push(
      chip(`${due > Date.now() ? 'due ' : 'was due '}${clock(outbox.notBefore)}`, due > Date.now() ? 'warn' : '', `delayed until ${clock(outbox.notBefore)}`),
    )
  }
  return chips
}

/** A delivery: its state (a dead letter when the DLQ holds it) and its attempts, one line each. */
function describeDelivery(n: DeliveryNode): Described {
  const messageIds = new Set(n.attempts.flatMap((a) => (a.messageId ? [a.messageId] : [])))
  const dead = (n.state === 'failing' || n.state === 'rejected') && [...messageIds].some((id) => state.deadMessageIds.has(id))
  const last = n.attempts.at(-1)
  const label = {
    delivered: last?.outcome === 'duplicate' ? 'duplicate' : 'delivered',
    failing: dead ? 'dead letter' : 'failing, QStash retries',
    rejected: 'rejected: dead letter',
    waiting: 'waiting',
    unrecorded: 'not recorded',
  }[n.state]
  const tone = { delivered: 'ok', failing: 'bad', rejected: 'bad', waiting: 'warn', unrecorded: '' }[n.state]
  return {
    title: `to ${n.target}`,
    chips: [chip(label, tone)],
    extra: n.attempts.length ? [attemptList(n.attempts), failureLine(n, dead)] : null,
    meta: n.handlers.length ? n.handlers.join(', ') : n.targetKind === 'handler' ? 'durable handler' : `subscriber ${n.target}`,
    details: { target: n.target, handlers: n.handlers, state: n.state, attempts: n.attempts },
  }
}

/** What happens next to a failing delivery: its status, the handler's error code and QStash's retry schedule. */
function failureLine(n: DeliveryNode, dead: boolean): HTMLElement | null {
  const text = nextStep(n, dead)
  return text ? h('p', { class: 'row-error next-step', 'data-next-step': n.state, text }) : null
}

function attemptList(attempts: DeliveryNode['attempts']): HTMLElement {
  return h(
    'ol',
    { class: 'attempts', 'aria-label': 'Delivery attempts' },
    attempts.map((a, i) => {
      // Upstash-Retried starts again at 0 when a dead letter is retried by hand.
      const which = a.retried > 0 ? `retry ${a.retried}` : i === 0 ? 'first try' : 'redelivered'
      const outcome = a.outcome ? ` ${a.outcome}` : ''
      return h(
        'li',
        {
          class: a.status >= 300 ? 'failed' : '',
          'aria-label': `${which}, HTTP ${a.status}${outcome}, ${a.durationMs} milliseconds at ${clock(a.at)}`,
          title: `${a.messageId ?? ''} at ${clock(a.at)}`,
        },
        `${which} · ${a.status}${outcome} · ${a.durationMs} ms`,
      )
    }),
  )
}
