/// <reference lib="dom" />
/**
 * The dashboard's browser script, bundled by scripts/build-dashboard.ts into
 * ../assets/client.bundle.ts and served as /dashboard/assets/dashboard.js. It knows no context:
 * what a subject is called, its statuses and its demo all come from `GET /dashboard/api/service`.
 */
import type { ServiceView, Timeline } from '../../../observability/index.ts'
import { api, errorMessage, setToken, statusOf } from './api.ts'
import { deadLetterRetry, loadDead, renderDead } from './dead-letters.ts'
import { h } from './dom.ts'
import { short } from './format.ts'
import { connect } from './live.ts'
import { loadOutbox, relayFailed } from './outbox.ts'
import { announcer, type PageElements, pageElements } from './page.ts'
import { createScheduler, EVERYTHING } from './scheduler.ts'
import { readHash, state, subjectHash, titled } from './state.ts'
import { loadSubjects, renderSubjects } from './subjects.ts'
import { setUpTabs } from './tabs.ts'
import { renderTimeline, type TimelineView } from './timeline-view.ts'

const els = pageElements()
const announce = announcer(els.announcer)
const view: TimelineView = { body: els.timelineBody, status: els.timelineStatus, announce }

const schedule = createScheduler({
  subjects: () => loadSubjects(els, schedule),
  timeline: loadTimeline,
  outbox: () => loadOutbox(els),
  dead: () => loadDead(announce, showDead),
})
const retryDead = deadLetterRetry(els, schedule, announce)
const showDead = () => renderDead(els, retryDead)

async function loadTimeline(): Promise<void> {
  const id = state.selected
  if (!id || !state.service) return
  try {
    const timeline = await api<Timeline>(`/dashboard/api/subjects/${encodeURIComponent(id)}/timeline?kind=${encodeURIComponent(state.kind.name)}`)
    if (id !== state.selected) return
    state.timeline = timeline
    state.timelineError = null
  } catch (error) {
    if (id !== state.selected) return
    state.timeline = null
    state.timelineError = statusOf(error) === 404 ? `No ${state.kind.name} ${id}.` : `Could not load the timeline: ${errorMessage(error)}`
  }
  renderTimeline(view)
}

function select(id: string, push: boolean): void {
  state.selected = id
  state.timeline = null
  state.seen = null
  if (push) location.hash = subjectHash(id).slice(1)
  renderSubjects(els)
  schedule(['subjects', 'timeline'], 0)
}

async function placeDemo(event: SubmitEvent): Promise<void> {
  event.preventDefault()
  els.placeDemo.disabled = true
  const label = els.placeDemo.textContent
  els.placeDemo.textContent = 'Placing…'
  try {
    const body = JSON.stringify({ scenario: els.scenario.value, kind: state.kind.name })
    const placed = await api<{ id: string }>('/dashboard/api/demo', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body })
    announce(`Placed demo ${state.kind.name} ${short(placed.id)}. Its timeline updates live.`)
    select(placed.id, true)
  } catch (error) {
    announce(`Could not place the demo ${state.kind.name}: ${errorMessage(error)}`)
    els.timelineBody.prepend(h('p', { class: 'error', text: `Could not place the demo ${state.kind.name}: ${errorMessage(error)}` }))
  } finally {
    els.placeDemo.disabled = false
    els.placeDemo.textContent = label
  }
}

/** The parts of the page that depend on the subject kind shown: titles, the demo form, the hint. */
function showKind(page: PageElements): void {
  const kind = state.kind
  page.demo.hidden = kind.demo.length === 0
  page.scenario.replaceChildren(...kind.demo.map((s) => h('option', { value: s.name }, s.label)))
  page.placeDemo.textContent = `Place demo ${kind.name}`
  page.kindHint.textContent = kind.hint ?? ''
  const kinds = state.service?.subjects ?? []
  const choice = page.subjectKind.parentElement as HTMLElement
  choice.hidden = kinds.length < 2
  page.subjectKind.replaceChildren(...kinds.map((k) => h('option', { value: k.name, selected: k.name === kind.name }, titled(k.plural))))
  renderSubjects(page)
}

/** Learns what this service's subjects are, then loads everything. */
async function loadService(): Promise<void> {
  try {
    const service = await api<ServiceView>('/dashboard/api/service')
    state.service = service
    state.kind = service.subjects[0] ?? state.kind
    // The service is named once, in the heading (and the tab's title); its peers are counted beside it.
    const peers = service.peers.length ? ` + ${service.peers.length} peer${service.peers.length === 1 ? '' : 's'}` : ''
    const named = service.name.toLowerCase() !== 'herald' // the default name: the product's own says it
    els.serviceName.textContent = named ? `${service.name}${peers} ·` : peers.trim()
    document.title = named ? `${service.name} · Herald event flow` : 'Herald event flow'
    state.serviceError = null
  } catch (error) {
    state.serviceError = statusOf(error) === 401 || statusOf(error) === 403 ? 'Enter the admin token to see what this service shows.' : errorMessage(error)
  }
  showKind(els)
  schedule(EVERYTHING, 0)
}

els.demo.addEventListener('submit', placeDemo)
els.refresh.addEventListener('click', () => schedule(EVERYTHING, 0))
els.subjectKind.addEventListener('change', () => {
  state.kind = state.service?.subjects.find((k) => k.name === els.subjectKind.value) ?? state.kind
  state.subjects = []
  state.selected = null
  state.timeline = null
  showKind(els)
  schedule(['subjects'], 0)
})
els.relayFailed.addEventListener('click', () => relayFailed(els, schedule, announce))
els.tokenForm.addEventListener('submit', (event) => {
  event.preventDefault()
  const token = els.tokenInput.value.trim()
  if (!token) return
  setToken(token)
  els.tokenInput.value = ''
  state.deadError = null
  state.dead = null
  showDead()
  // With a token the service may now answer what it refused before.
  if (!state.service) void loadService()
  schedule(['dead', 'outbox', 'subjects'], 0)
})
els.forgetToken.addEventListener('click', () => {
  setToken('')
  state.dead = null
  state.deadError = null
  state.deadNotice = null
  state.deadMessageIds = new Set()
  showDead()
  els.tokenInput.focus()
})
window.addEventListener('hashchange', () => {
  const id = readHash()
  if (id && id !== state.selected) select(id, false)
})
const disconnect = connect(schedule, (live, text) => {
  els.live.setAttribute('data-state', live)
  els.liveText.textContent = text
})
window.addEventListener('pagehide', disconnect)

setUpTabs(els.tabs, (chosen) => {
  state.view = chosen
  if (state.timeline) renderTimeline(view)
})
// On a phone the side panels start folded: their headings (with counts) sit above the timeline.
if (matchMedia('(max-width: 760px)').matches) for (const fold of els.folds) fold.open = false

showDead()
void loadService()
