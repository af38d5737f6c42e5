import { admin, errorMessage, getToken, statusOf } from './api.ts'
import { breakable, chip, fill, h, keepFocus } from './dom.ts'
import { clock, cloudEventName, short } from './format.ts'
import type { PageElements } from './page.ts'
import type { Schedule } from './scheduler.ts'
import { defaultSchedule, REFUSED_FOR_GOOD } from './retries.ts'
import { type DeadLetter, state, subjectHash } from './state.ts'

export async function loadDead(announce: (text: string) => void, render: () => void): Promise<void> {
  if (!getToken()) {
    state.dead = null
    state.deadError = null
    render()
    return
  }
  try {
    const list = await admin<DeadLetter[]>('/admin/dead-letters')
    const before = state.dead ? state.dead.length : null
    state.dead = list
    state.deadError = null
    if (before !== null && list.length > before) announce(`${list.length} dead letter${list.length === 1 ? '' : 's'} waiting.`)
  } catch (error) {
    state.dead = null
    state.deadError = statusOf(error) === 401 ? 'The admin token was refused. Enter it again.' : `Could not load dead letters: ${errorMessage(error)}`
  }
  state.deadMessageIds = new Set((state.dead ?? []).map((d) => d.messageId))
  render()
}

function parseBody(text: string | undefined): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(String(text))
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : null
  } catch {
    return null
  }
}

export function renderDead(els: PageElements, retry: (entry: DeadLetter, name: string, button: HTMLButtonElement) => void): void {
  const token = getToken()
  els.tokenForm.hidden = !!token && state.deadError === null
  els.forgetToken.hidden = !token
  els.relayFailed.hidden = !(state.outbox && state.outbox.counts.failed > 0 && token)
  const notice = state.deadNotice ? h('p', { class: 'notice', role: 'status', text: state.deadNotice }) : null
  const dead = state.dead
  els.deadCount.textContent = dead ? `(${dead.length})` : ''
  if (!token) fill(els.deadBody, h('p', { class: 'empty', text: 'Enter the admin token to see dead letters.' }))
  else if (state.deadError) fill(els.deadBody, h('p', { class: 'error', text: state.deadError }))
  else if (!dead) fill(els.deadBody, h('p', { class: 'empty', text: 'Loading…' }))
  else if (dead.length === 0) keepFocus(els.deadBody, () => fill(els.deadBody, notice, h('p', { class: 'empty', text: 'No dead letters.' })))
  else
    keepFocus(els.deadBody, () =>
      fill(
        els.deadBody,
        notice,
        h(
          'ol',
          { class: 'rows', 'aria-label': 'Dead letters' },
          dead.map((d) => deadItem(d, retry)),
        ),
      ),
    )
}

function deadItem(d: DeadLetter, retry: (entry: DeadLetter, name: string, button: HTMLButtonElement) => void): HTMLLIElement {
  const event = parseBody(d.body) ?? {}
  const inner = (event.event ?? {}) as { type?: string; aggregateId?: string }
  const ce = cloudEventName((typeof event.type === 'string' ? event.type : inner.type) || d.urlGroup || '')
  const target =
    String(d.url ?? '')
      .split('/')
      .filter(Boolean)
      .pop() || d.url
  const subject = typeof event.subject === 'string' ? event.subject : inner.aggregateId
  const refused = d.responseStatus === 489
  const button = refused
    ? null
    : h(
        'button',
        {
          type: 'button',
          class: 'primary',
          'data-key': `retry:${d.dlqId}`,
          'data-dlq-id': d.dlqId,
          'aria-label': `Retry dead letter ${ce.name} to ${target}`,
          onclick: (e: Event) => retry(d, ce.name, e.currentTarget as HTMLButtonElement),
        },
        'Retry',
      )
  return h(
    'li',
    { 'data-dlq-id': d.dlqId, 'data-status': d.responseStatus },
    h(
      'div',
      { class: 'row-head' },
      h('span', { class: 'row-title' }, breakable(ce.name)),
      chip(`HTTP ${d.responseStatus}`, 'bad'),
      d.responseCode ? chip(d.responseCode, '', `error code ${d.responseCode}`) : null,
    ),
    h(
      'div',
      { class: 'row-meta' },
      `→ ${target} · ${clock(d.createdAt)}`,
      subject && state.subjects.some((s) => s.id === subject)
        ? [' · ', h('a', { href: subjectHash(subject), title: subject, text: `${state.kind.name} ${short(subject)}` })]
        : null,
    ),
    d.responseExcerpt ? h('pre', { class: 'row-error excerpt', 'aria-label': 'Response body (scrubbed)', text: d.responseExcerpt }) : null,
    h('p', { class: 'row-meta schedule', text: refused ? REFUSED_FOR_GOOD : triedLine(d) }),
    button ? h('div', { class: 'dead-actions' }, button) : null,
  )
}

/** How often QStash tried before giving up, and with which waits. */
function triedLine(d: DeadLetter): string {
  if (d.maxRetries === undefined) return 'QStash gave up after its retries.'
  const waits = d.retryDelay
    ? `waits of ${d.retryDelay} ms (the message's own retry delay)`
    : `QStash's backoff: ${defaultSchedule(d.maxRetries) || 'no waits'}`
  return `Tried ${d.maxRetries + 1} times (${d.maxRetries} ${d.maxRetries === 1 ? 'retry' : 'retries'}, ${waits}), then dead-lettered.`
}

/** Retries through the admin API; the live stream brings the outcome. */
export function deadLetterRetry(els: PageElements, schedule: Schedule, announce: (text: string) => void) {
  return async function retryDead(entry: DeadLetter, name: string, button: HTMLButtonElement): Promise<void> {
    button.disabled = true
    button.textContent = 'Retrying…'
    try {
      await admin(`/admin/dead-letters/${encodeURIComponent(entry.dlqId)}/retry`, { method: 'POST' })
      state.deadNotice = `Retried ${name}: QStash is delivering it again.`
      announce(state.deadNotice)
      schedule(['dead', 'timeline', 'subjects'], 0)
      setTimeout(() => schedule(['dead', 'timeline']), 1500)
    } catch (error) {
      announce(`Retry failed: ${errorMessage(error)}`)
      state.deadNotice = `Retry failed: ${errorMessage(error)}`
      button.disabled = false
      button.textContent = 'Retry'
      renderDead(els, retryDead)
    }
  }
}
