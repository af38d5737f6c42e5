import type { Timeline, TimelineNode } from '../../../observability/index.ts'
import { describe, nameOf } from './describe.ts'
import { chip, fill, h, keepFocus } from './dom.ts'
import { clock, money, plural, short, since, spaced } from './format.ts'
import { state, toneOf } from './state.ts'
import { waterfallView } from './waterfall-view.ts'

export const statusChip = (status: string): HTMLSpanElement => chip(spaced(status), toneOf(status))

export interface TimelineView {
  readonly body: HTMLElement
  readonly status: HTMLElement
  readonly announce: (text: string) => void
}

export function renderTimeline(view: TimelineView): void {
  const t = state.timeline
  if (!t) {
    view.status.textContent = ''
    fill(view.body, h('p', { class: state.timelineError ? 'error' : 'empty', text: state.timelineError || 'No order chosen yet.' }))
    return
  }
  const previous = state.statusOf.get(t.order.orderId)
  if (previous && previous !== t.order.status) view.announce(`Order ${short(t.order.orderId)} is now ${spaced(t.order.status)}.`)
  state.statusOf.set(t.order.orderId, t.order.status)

  const tree = causationTree(t, view)
  const c = t.counts
  view.status.textContent = `Updated ${clock(new Date().toISOString())}`
  keepFocus(view.body, () => {
    fill(
      view.body,
      h(
        'div',
        { class: 'summary' },
        h('h3', { text: `Order ${short(t.order.orderId)}`, title: t.order.orderId }),
        h('span', { id: 'order-status', 'data-status': t.order.status }, statusChip(t.order.status)),
      ),
      h(
        'p',
        { class: 'facts' },
        'Buyer ',
        h('b', { text: t.order.buyerId }),
        ' · total ',
        h('b', { text: money(t.order.total) }),
        ' · started ',
        h('b', { text: clock(t.order.startedAt) }),
        ' · ',
        `${plural(c.domainEvents, 'domain event')}, ${plural(c.integrationEvents, 'integration event')}, ${plural(c.jobs, 'job')}, ${plural(c.deliveryAttempts, 'delivery attempt')}${c.failedAttempts ? ` (${c.failedAttempts} failed)` : ''}, ${plural(c.mails, 'mail')}`,
      ),
      progress(t),
      h('div', { class: 'views' }, tree, waterfallView(t)),
    )
  })
}

/** The statuses on the way (declared by the subject's context), reached or not, and a stop if reached. */
function progress(t: Timeline): HTMLElement | null {
  const statuses = state.statuses.statuses
  if (statuses.length === 0) return null
  const types = new Set<string>()
  walk(t.roots, (n) => {
    if (n.kind === 'domain') types.add(n.type)
  })
  return h(
    'ol',
    { class: 'steps', 'aria-label': 'Order progress' },
    statuses.map(({ status, reachedBy, stop }) => {
      const reached = types.has(reachedBy)
      if (stop) return reached ? h('li', { class: 'stop' }, spaced(status)) : null
      return h('li', { class: reached ? 'done' : '', 'aria-label': `${spaced(status)}${reached ? ', reached' : ', not reached'}` }, spaced(status))
    }),
  )
}

function walk(nodes: readonly TimelineNode[], visit: (n: TimelineNode) => void): void {
  for (const n of nodes) {
    visit(n)
    walk(n.children, visit)
  }
}

/** Each strand lists things each caused by the one above it; a fork indents its branches. */
function causationTree(t: Timeline, view: TimelineView): HTMLElement {
  const cards: Cards = { view, origin: Date.parse(t.order.startedAt), before: state.seen, seen: new Set<string>(), made: 0 }
  const strand = (node: TimelineNode): HTMLElement => {
    const list = h('ol', { class: 'strand' })
    let current = node
    for (;;) {
      const item = h('li', { class: 'node' }, card(current, cards))
      list.append(item)
      const kids = current.children
      if (kids.length === 1 && kids[0]) {
        current = kids[0]
        continue
      }
      if (kids.length > 1) {
        item.append(
          h(
            'ol',
            { class: 'forks', 'aria-label': `${kids.length} branches caused by ${describe(current).title}` },
            kids.map((kid) => h('li', null, strand(kid))),
          ),
        )
      }
      return list
    }
  }

  const tree = t.roots.length
    ? h(
        'ol',
        { class: 'roots', 'aria-label': `Causation chain of order ${short(t.order.orderId)}` },
        t.roots.map((root) => h('li', { class: 'root' }, strand(root))),
      )
    : h('p', { class: 'empty', text: 'Nothing recorded for this order yet.' })
  state.seen = cards.seen
  return tree
}

/** What the cards of one render share: the chain's start, the cards shown before, and the ones shown now. */
interface Cards {
  readonly view: TimelineView
  readonly origin: number
  readonly before: ReadonlySet<string> | null
  readonly seen: Set<string>
  /** Cards made so far (each one's details get their own element id). */
  made: number
}

/** One node as a card: its title toggles the details (JSON), chips and meta from `describe`. */
function card(n: TimelineNode, cards: Cards): HTMLElement {
  const key = `${n.kind}:${n.id}`
  cards.seen.add(key)
  const parts = describe(n)
  const detailsId = `details-${cards.made++}`
  const open = state.expanded.has(key)
  const toggle = h(
    'button',
    {
      type: 'button',
      class: 'card-title',
      'aria-expanded': open ? 'true' : 'false',
      'aria-controls': detailsId,
      'data-key': `toggle:${key}`,
      title: open ? 'Hide details' : 'Show details',
      onclick: () => {
        if (state.expanded.has(key)) state.expanded.delete(key)
        else state.expanded.add(key)
        keepFocus(cards.view.body, () => renderTimeline(cards.view))
      },
    },
    h('span', { class: 'caret', 'aria-hidden': 'true' }, open ? '\u25BE' : '\u25B8'),
    parts.title,
    h('span', { class: 'visually-hidden' }, ' (details)'),
  )
  const cardState = n.kind === 'delivery' ? n.state : n.kind === 'integration' || n.kind === 'job' ? n.outbox?.status : null
  return h(
    'article',
    {
      class: `card k-${n.kind}${cards.before && !cards.before.has(key) ? ' fresh' : ''}`,
      'data-kind': n.kind,
      'data-name': nameOf(n),
      'data-state': cardState,
      'data-context': n.kind === 'delivery' ? n.target : n.context,
      'data-target-kind': n.kind === 'delivery' ? n.targetKind : null,
    },
    h(
      'div',
      { class: 'card-head' },
      h('span', { class: 'kind' }, n.kind),
      toggle,
      parts.chips,
      n.at
        ? h('span', { class: 'card-time' }, h('time', { datetime: n.at, text: clock(n.at) }), ' ', h('span', { class: 'delta' }, since(n.at, cards.origin)))
        : null,
    ),
    parts.meta ? h('div', { class: 'card-meta' }, parts.meta) : null,
    parts.extra ?? null,
    h('pre', { class: 'details', id: detailsId, hidden: !open }, open ? JSON.stringify(parts.details, null, 2) : ''),
  )
}
