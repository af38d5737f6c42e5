/// <reference lib="dom" />
/**
 * The dashboard's browser script, bundled by scripts/build-dashboard.ts into
 * ../assets/client.bundle.ts and served as /dashboard/assets/dashboard.js.
 */
import type { StatusMachine } from '../statuses.ts'
import { api, errorMessage, setToken, statusOf } from './api.ts'
import { deadLetterRetry, loadDead, renderDead } from './dead-letters.ts'
import { demoOrder } from './demo.ts'
import { h } from './dom.ts'
import { short } from './format.ts'
import { connect } from './live.ts'
import { loadOrders, renderOrders } from './orders.ts'
import { loadOutbox, relayFailed } from './outbox.ts'
import { announcer, pageElements } from './page.ts'
import { createScheduler, EVERYTHING } from './scheduler.ts'
import { readHash, state } from './state.ts'
import { renderTimeline, type TimelineView } from './timeline-view.ts'

const els = pageElements()
const announce = announcer(els.announcer)
const view: TimelineView = { body: els.timelineBody, status: els.timelineStatus, announce }

const schedule = createScheduler({
  orders: () => loadOrders(els, schedule),
  timeline: loadTimeline,
  outbox: () => loadOutbox(els),
  dead: () => loadDead(announce, showDead),
})
const retryDead = deadLetterRetry(els, schedule, announce)
const showDead = () => renderDead(els, retryDead)

async function loadTimeline(): Promise<void> {
  const id = state.selected
  if (!id) return
  try {
    const timeline = await api<NonNullable<typeof state.timeline>>(`/dashboard/api/orders/${encodeURIComponent(id)}/timeline`)
    if (id !== state.selected) return
    state.timeline = timeline
    state.timelineError = null
  } catch (error) {
    if (id !== state.selected) return
    state.timeline = null
    state.timelineError = statusOf(error) === 404 ? `No order ${id}.` : `Could not load the timeline: ${errorMessage(error)}`
  }
  renderTimeline(view)
}

function select(orderId: string, push: boolean): void {
  state.selected = orderId
  state.timeline = null
  state.seen = null
  if (push) location.hash = `order=${encodeURIComponent(orderId)}`
  renderOrders(els)
  schedule(['orders', 'timeline'], 0)
}

async function placeDemo(event: SubmitEvent): Promise<void> {
  event.preventDefault()
  els.placeDemo.disabled = true
  const label = els.placeDemo.textContent
  els.placeDemo.textContent = 'Placing…'
  try {
    const body = JSON.stringify(demoOrder(els.scenario.value))
    const placed = await api<{ orderId: string }>('/orders', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body })
    announce(`Placed demo order ${short(placed.orderId)}. Its timeline updates live.`)
    select(placed.orderId, true)
  } catch (error) {
    announce(`Could not place the demo order: ${errorMessage(error)}`)
    els.timelineBody.prepend(h('p', { class: 'error', text: `Could not place the demo order: ${errorMessage(error)}` }))
  } finally {
    els.placeDemo.disabled = false
    els.placeDemo.textContent = label
  }
}

els.demo.addEventListener('submit', placeDemo)
els.refresh.addEventListener('click', () => schedule(EVERYTHING, 0))
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
  schedule(['dead', 'outbox'], 0)
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

showDead()
schedule(EVERYTHING, 0)
api<{ name?: string; peers?: string[] }>('/dashboard/api/service')
  .then((service) => {
    if (service?.name) els.serviceName.textContent = service.name + (service.peers?.length ? ` + ${service.peers.length} peer(s)` : '')
  })
  .catch(() => {
    // Unlabelled.
  })
// The status machine is the server's (its subjects' context declares it); until it arrives the
// timeline shows no progress steps.
api<StatusMachine>('/dashboard/api/statuses')
  .then((machine) => {
    state.statuses = machine
    if (state.timeline) renderTimeline(view)
    renderOrders(els)
  })
  .catch(() => {
    // No progress steps, neutral chips.
  })
