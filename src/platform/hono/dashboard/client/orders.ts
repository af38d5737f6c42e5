import type { OrderListItem } from '../../../observability/index.ts'
import { api, errorMessage } from './api.ts'
import { chip, fill, h, keepFocus } from './dom.ts'
import { clock, money, short, spaced } from './format.ts'
import type { PageElements } from './page.ts'
import type { Schedule } from './scheduler.ts'
import { state } from './state.ts'
import { statusChip } from './timeline-view.ts'

export async function loadOrders(els: PageElements, schedule: Schedule): Promise<void> {
  try {
    state.orders = await api<OrderListItem[]>('/dashboard/api/orders')
  } catch (error) {
    fill(els.orders, h('li', { class: 'error', text: `Could not load orders: ${errorMessage(error)}` }))
    return
  }
  const first = state.orders[0]
  if (!state.selected && first) {
    state.selected = first.orderId
    history.replaceState(null, '', `#order=${encodeURIComponent(state.selected)}`)
    schedule(['timeline'], 0)
  }
  renderOrders(els)
}

export function renderOrders(els: PageElements): void {
  els.ordersHint.hidden = state.orders.length === 0
  keepFocus(els.orders, () => {
    if (state.orders.length === 0) {
      fill(els.orders, h('li', { class: 'empty', text: 'No orders yet. Place a demo order to start.' }))
      return
    }
    fill(els.orders, ...state.orders.map(orderItem))
  })
}

function orderItem(o: OrderListItem): HTMLLIElement {
  const trouble = o.failingDeliveries
    ? `, ${o.failingDeliveries} deliveries failing`
    : o.failedAttempts
      ? `, ${o.failedAttempts} failed delivery attempts, recovered`
      : ''
  const label = `Order ${short(o.orderId)}, ${spaced(o.status)}, ${o.buyerId}, ${money(o.total)}${trouble}`
  return h(
    'li',
    null,
    h(
      'a',
      {
        class: 'order-link',
        href: `#order=${encodeURIComponent(o.orderId)}`,
        'data-key': `order:${o.orderId}`,
        'data-order-id': o.orderId,
        'aria-current': o.orderId === state.selected ? 'true' : null,
        'aria-label': label,
      },
      h('span', { class: 'id', text: short(o.orderId) }),
      statusChip(o.status),
      h(
        'span',
        { class: 'sub' },
        `${o.buyerId} · ${money(o.total)} · ${clock(o.startedAt)}`,
        o.failingDeliveries
          ? [' · ', chip(`${o.failingDeliveries} failing`, 'bad')]
          : o.failedAttempts
            ? [' · ', chip(`${o.failedAttempts} failed, recovered`, 'warn')]
            : null,
      ),
    ),
  )
}
