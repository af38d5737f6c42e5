import type { OutboxListItem } from '../../../observability/index.ts'
import { admin, api, errorMessage, getToken } from './api.ts'
import { breakable, chip, fill, h, keepFocus } from './dom.ts'
import { clock, cloudEventName, plural, short } from './format.ts'
import type { PageElements } from './page.ts'
import type { Schedule } from './scheduler.ts'
import { type OutboxView, state, subjectHash } from './state.ts'
import { statusChip } from './timeline-view.ts'

export async function loadOutbox(els: PageElements): Promise<void> {
  try {
    state.outbox = await api<OutboxView>('/dashboard/api/outbox')
  } catch (error) {
    fill(els.outboxBody, h('p', { class: 'error', text: `Could not load the outbox: ${errorMessage(error)}` }))
    return
  }
  renderOutbox(els)
}

function outboxRow(m: OutboxListItem): HTMLLIElement {
  const name = m.kind === 'integration' ? cloudEventName(m.topic).name : m.topic.replace(/^handler:/, '')
  const when =
    m.status === 'published'
      ? `published ${clock(m.publishedAt)}`
      : m.notBefore && Date.parse(m.notBefore) > Date.now()
        ? `due ${clock(m.notBefore)}`
        : m.attempts
          ? `next attempt ${clock(m.nextAttemptAt)}`
          : `written ${clock(m.createdAt)}`
  const integration = m.kind === 'integration'
  return h(
    'li',
    { 'data-status': m.status },
    h(
      'div',
      { class: 'row-head' },
      h('span', { class: `kind k-${integration ? 'integration' : 'job'}` }, integration ? 'event' : 'job'),
      h('span', { class: 'row-title' }, breakable(name)),
      statusChip(m.status),
    ),
    h(
      'div',
      { class: 'row-meta' },
      when + (m.attempts ? ` · ${plural(m.attempts, 'attempt')}` : ''),
      m.subjectKind && m.subject
        ? [' · ', h('a', { href: subjectHash(m.subject), title: m.subject, text: `${m.subjectKind} ${short(m.subject)}` })]
        : m.subject
          ? ` · ${m.subject}`
          : null,
    ),
    m.lastError && m.status !== 'published' ? h('div', { class: 'row-error', text: m.lastError }) : null,
  )
}

export function renderOutbox(els: PageElements): void {
  const o = state.outbox
  if (!o) return
  const counts = h(
    'p',
    { class: 'counts' },
    chip(`${o.counts.pending} pending`, o.counts.pending ? 'warn' : ''),
    chip(`${o.counts.published} published`, 'ok'),
    chip(`${o.counts.failed} failed`, o.counts.failed ? 'bad' : ''),
  )
  els.relayFailed.hidden = !(o.counts.failed > 0 && getToken())
  els.outboxCount.textContent = `· ${o.counts.pending} pending${o.counts.failed ? `, ${o.counts.failed} failed` : ''}`
  const details = h(
    'details',
    {
      open: state.publishedOpen,
      ontoggle: (e: Event) => {
        state.publishedOpen = (e.target as HTMLDetailsElement).open
      },
    },
    h('summary', null, `Recently published (${o.published.length})`),
    h('ol', { class: 'rows' }, o.published.map(outboxRow)),
  )
  keepFocus(els.outboxBody, () => {
    fill(
      els.outboxBody,
      counts,
      o.waiting.length
        ? h('ol', { class: 'rows', 'aria-label': 'Waiting and failed outbox rows' }, o.waiting.map(outboxRow))
        : h('p', { class: 'empty', text: 'Nothing waiting: every row is published.' }),
      o.published.length ? details : null,
    )
  })
}

export async function relayFailed(els: PageElements, schedule: Schedule, announce: (text: string) => void): Promise<void> {
  els.relayFailed.disabled = true
  try {
    const report = await admin<{ requeued: number; published: number }>('/admin/outbox/relay', { method: 'POST' })
    announce(`Requeued ${report.requeued} failed rows; published ${report.published}.`)
    schedule(['outbox', 'timeline'], 0)
  } catch (error) {
    announce(`Relay failed: ${errorMessage(error)}`)
  } finally {
    els.relayFailed.disabled = false
  }
}
