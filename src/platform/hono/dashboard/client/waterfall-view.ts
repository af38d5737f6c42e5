import type { Timeline } from '../../../observability/index.ts'
import { breakable, h } from './dom.ts'
import { duration } from './format.ts'
import { type Waterfall, type WaterfallRow, waterfall } from './waterfall.ts'

/**
 * The waterfall as a table: a screen reader reads each step with when it started and how long it
 * took; the bars under the labels are the same numbers drawn (hidden from assistive technology).
 */
export function waterfallView(timeline: Timeline): HTMLElement {
  const chart = waterfall(timeline)
  const total = chart.end - chart.origin
  return h(
    'section',
    { class: 'waterfall', 'aria-labelledby': 'waterfall-title' },
    h('h3', { id: 'waterfall-title' }, 'Waterfall'),
    h(
      'p',
      { class: 'facts', id: 'waterfall-total' },
      `${chart.rows.length} steps over `,
      h('b', { text: duration(total) }),
      ', from the first to the end of the last.',
    ),
    chart.rows.length
      ? h(
          'table',
          { class: 'wf' },
          h(
            'caption',
            { class: 'visually-hidden' },
            `Steps of ${timeline.subject.kind} ${timeline.subject.id} in causation order: when each started after the first, and how long it took`,
          ),
          h(
            'thead',
            null,
            h(
              'tr',
              null,
              h('th', { scope: 'col' }, 'Step'),
              h('th', { scope: 'col', class: 'num' }, 'Starts'),
              h('th', { scope: 'col', class: 'num' }, 'Took'),
            ),
          ),
          h(
            'tbody',
            null,
            chart.rows.map((row) => rowView(row, chart)),
          ),
        )
      : h('p', { class: 'empty', text: 'No steps recorded yet.' }),
  )
}

function rowView(row: WaterfallRow, chart: Waterfall): HTMLTableRowElement {
  const span = Math.max(1, chart.end - chart.origin)
  const known = Number.isFinite(row.start)
  const took = row.end - row.start
  const bar = h('span', { class: `wf-bar k-${row.kind}${row.failed ? ' failed' : ''}${took > 0 ? '' : ' instant'}` })
  if (known) {
    // CSSOM, not a style attribute: the page's CSP allows no inline styles.
    bar.style.left = `${((row.start - chart.origin) / span) * 100}%`
    bar.style.width = `${(Math.max(0, took) / span) * 100}%`
  }
  const label = h('span', { class: 'wf-label' }, breakable(row.label))
  label.style.paddingLeft = `${Math.min(row.level, 6) * 0.75}rem`
  return h(
    'tr',
    {
      'data-step': row.step,
      'data-kind': row.kind,
      'data-context': row.context,
      'data-key': row.key,
      'data-cause': row.cause,
      'data-start': known ? row.start : null,
      'data-end': known ? row.end : null,
      class: row.failed ? 'failed' : null,
    },
    h('th', { scope: 'row' }, label, h('span', { class: 'wf-track', 'aria-hidden': 'true' }, bar)),
    h('td', { class: 'num' }, known ? `+${duration(row.start - chart.origin)}` : 'not yet'),
    h('td', { class: 'num' }, took > 0 ? duration(took) : h('span', { 'aria-label': 'instant' }, '·')),
  )
}
