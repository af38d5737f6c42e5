import type { Timeline, TimelineNode } from '../../../observability/index.ts'
import { describe, nameOf } from './describe.ts'
import { breakable, chip, fill, h, keepFocus } from './dom.ts'
import { clock, cloudEventName, plural, short, since, spaced } from './format.ts'
import { factLine, state, titled, toneOf } from './state.ts'
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
    fill(view.body, h('p', { class: state.timelineError ? 'error' : 'empty', text: state.timelineError || `No ${state.kind.name} chosen yet.` }))
    return
  }
  const subject = t.subject
  const title = subjectTitle(t)
  const previous = state.statusOf.get(subject.id)
  if (previous && previous !== subject.status) view.announce(`${title} is now ${spaced(subject.status)}.`)
  state.statusOf.set(subject.id, subject.status)

  const tree = causationTree(t, view)
  const c = t.counts
  view.status.textContent = `Updated ${clock(new Date().toISOString())}`
  keepFocus(view.body, () => {
    fill(
      view.body,
      h(
        'div',
        { class: 'summary' },
        h('h3', { text: title, title: subject.id, 'data-subject-id': subject.id }),
        h('span', { id: 'subject-status', 'data-status': subject.status }, statusChip(subject.status)),
        copyButton(subject.id, `Copy the ${subject.kind}'s full id`, view.announce),
      ),
      h(
        'p',
        { class: 'facts' },
        `${factLine(subject)} · `,
        `${plural(c.domainEvents, 'domain event')}, ${plural(c.integrationEvents, 'integration event')}, ${plural(c.jobs, 'job')}, ${plural(c.deliveryAttempts, 'delivery attempt')}${c.failedAttempts ? ` (${c.failedAttempts} failed)` : ''}, ${plural(c.reactions, 'reaction')}`,
      ),
      progress(t),
      h('div', { id: 'panel-chain', role: 'tabpanel', 'aria-labelledby': 'tab-chain', hidden: state.view !== 'chain' }, tree),
      h('div', { id: 'panel-waterfall', role: 'tabpanel', 'aria-labelledby': 'tab-waterfall', hidden: state.view !== 'waterfall' }, waterfallView(t)),
    )
  })
}

/** `Order …c4f1e9a2`, or the title its context gave it. */
export const subjectTitle = (t: Timeline): string => t.subject.title ?? `${titled(t.subject.kind)} ${short(t.subject.id)}`

/** Copies a full id (the page shows a distinguishing part of it). */
export function copyButton(id: string, label: string, announce: (text: string) => void): HTMLButtonElement {
  return h(
    'button',
    {
      type: 'button',
      class: 'quiet copy',
      'data-key': `copy:${id}`,
      'data-copy': id,
      'aria-label': label,
      title: id,
      onclick: () =>
        navigator.clipboard?.writeText(id).then(
          () => announce(`Copied ${id}.`),
          () => announce(`Could not copy; the id is ${id}.`),
        ),
    },
    'Copy id',
  )
}

/** The statuses on the way (declared by the subject's context), reached or not, and a stop if reached. */
function progress(t: Timeline): HTMLElement | null {
  const statuses = state.kind.statuses.statuses
  if (statuses.length === 0) return null
  const types = new Set<string>()
  // A status is reached by a domain event, or (for a context that keeps no stream) by an integration event's name.
  walk(t.roots, (n) => {
    if (n.kind === 'domain') types.add(n.type)
    if (n.kind === 'integration') types.add(cloudEventName(n.type).name)
  })
  return h(
    'ol',
    { class: 'steps', 'aria-label': `${titled(t.subject.kind)} progress` },
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
  const cards: Cards = { view, origin: Date.parse(t.subject.startedAt ?? ''), before: state.seen, seen: new Set<string>(), made: 0 }
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
        { class: 'roots', 'aria-label': `Causation chain of ${subjectTitle(t)}` },
        t.roots.map((root) => h('li', { class: 'root' }, strand(root))),
      )
    : h('p', { class: 'empty', text: `Nothing recorded for this ${t.subject.kind} yet.` })
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
    breakable(parts.title),
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
