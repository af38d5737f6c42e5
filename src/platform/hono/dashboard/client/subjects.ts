import type { SubjectListItem } from '../../../observability/index.ts'
import { api, errorMessage } from './api.ts'
import { chip, fill, h, keepFocus } from './dom.ts'
import { short, spaced } from './format.ts'
import type { PageElements } from './page.ts'
import type { Schedule } from './scheduler.ts'
import { factLine, state, subjectHash, titled } from './state.ts'
import { statusChip } from './timeline-view.ts'

/** The newest subjects of the kind the page lists. */
export async function loadSubjects(els: PageElements, schedule: Schedule): Promise<void> {
  if (!state.service) return
  if (state.service.subjects.length === 0) {
    state.subjects = []
    renderSubjects(els)
    return
  }
  try {
    state.subjects = await api<SubjectListItem[]>(`/dashboard/api/subjects?kind=${encodeURIComponent(state.kind.name)}`)
  } catch (error) {
    fill(els.subjects, h('li', { class: 'error', text: `Could not load ${state.kind.plural}: ${errorMessage(error)}` }))
    return
  }
  const first = state.subjects[0]
  if (!state.selected && first) {
    state.selected = first.id
    history.replaceState(null, '', subjectHash(first.id))
    schedule(['timeline'], 0)
  }
  renderSubjects(els)
}

export function renderSubjects(els: PageElements): void {
  const kinds = state.service?.subjects ?? []
  els.subjectsTitle.textContent = kinds.length ? `Recent ${state.kind.plural}` : 'Subjects'
  els.subjectsHint.textContent = `Choose ${article(state.kind.name)} ${state.kind.name} to see its timeline.`
  els.subjectsHint.hidden = state.subjects.length === 0
  keepFocus(els.subjects, () => {
    if (!state.service) return fill(els.subjects, h('li', { class: state.serviceError ? 'error' : 'empty', text: state.serviceError ?? 'Loading…' }))
    if (kinds.length === 0) return fill(els.subjects, h('li', { class: 'empty', text: 'This service lists no subjects: its contexts declare none.' }))
    if (state.subjects.length === 0) {
      const start = state.kind.demo.length ? ` Place a demo ${state.kind.name} to start.` : ''
      return fill(els.subjects, h('li', { class: 'empty', text: `No ${state.kind.plural} yet.${start}` }))
    }
    fill(els.subjects, ...state.subjects.map(subjectItem))
  })
}

const article = (word: string) => (/^[aeiou]/i.test(word) ? 'an' : 'a')

function subjectItem(s: SubjectListItem): HTMLLIElement {
  const trouble = s.failingDeliveries
    ? `, ${s.failingDeliveries} deliveries failing`
    : s.failedAttempts
      ? `, ${s.failedAttempts} failed delivery attempts, recovered`
      : ''
  const title = s.title ?? `${titled(state.kind.name)} ${short(s.id)}`
  return h(
    'li',
    null,
    h(
      'a',
      {
        class: 'subject-link',
        href: subjectHash(s.id),
        title: s.id,
        'data-key': `subject:${s.id}`,
        'data-subject-id': s.id,
        'aria-current': s.id === state.selected ? 'true' : null,
        'aria-label': `${title}, ${spaced(s.status)}, ${factLine(s)}${trouble}`,
      },
      // The distinguishing part of the id always (two subjects may share a title), the whole on hover.
      h('span', { class: 'id', text: s.title ? `${s.title} · ${short(s.id)}` : short(s.id) }),
      statusChip(s.status),
      h(
        'span',
        { class: 'sub' },
        factLine(s),
        s.failingDeliveries
          ? [' · ', chip(`${s.failingDeliveries} failing`, 'bad')]
          : s.failedAttempts
            ? [' · ', chip(`${s.failedAttempts} failed, recovered`, 'warn')]
            : null,
      ),
    ),
  )
}
