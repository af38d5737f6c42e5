import { desc, eq, inArray } from 'drizzle-orm'
import type { SubjectKind, SubjectSummary } from '../../platform/observability/timeline.ts'
import type { PersonalDataVault } from '../../platform/store/personal-data.ts'
import { type OrderingDb, orders } from '../infrastructure/schema.ts'
import type { OrderState } from '../domain/order/order.ts'
import type { OrderStatus } from '../domain/order/order.events.ts'

/** Dollars at the edge, cents inside. */
export const toDollars = (cents: number): number => cents / 100

export interface OrderView {
  readonly orderId: string
  readonly status: OrderStatus
  readonly buyerId: string
  readonly paymentMethodId: string | null
  readonly items: { productId: string; productName: string; unitPrice: number; units: number; discount: number }[]
  readonly address: OrderState['address']
  readonly subtotal: number
  readonly discount: number
  readonly total: number
  readonly startedAt: string
  readonly version: number
}

export function toOrderView(state: OrderState, version: number): OrderView {
  return {
    orderId: state.id,
    status: state.status,
    buyerId: state.buyerId ?? state.buyer.id,
    paymentMethodId: state.paymentMethodId,
    items: state.items.map((l) => ({ ...l, unitPrice: toDollars(l.unitPrice), discount: toDollars(l.discount) })),
    address: state.address,
    subtotal: toDollars(state.subtotal),
    discount: toDollars(state.discount),
    total: toDollars(state.total),
    startedAt: state.startedAt,
    version,
  }
}

/** Reads show personal data opened: `"[erased]"` once the buyer's key is gone. */
export function orderingQueries(db: OrderingDb, vault: Pick<PersonalDataVault, 'openDeep'>) {
  const view = (row: { state: string; version: number }) => vault.openDeep(toOrderView(JSON.parse(row.state) as OrderState, row.version))
  return {
    async getOrder(orderId: string): Promise<OrderView | undefined> {
      const [row] = await db.select({ state: orders.state, version: orders.version }).from(orders).where(eq(orders.id, orderId))
      return row ? view(row) : undefined
    },
    async listOrders({ buyerId, limit = 50 }: { buyerId?: string; limit?: number }): Promise<OrderView[]> {
      const rows = await db
        .select({ state: orders.state, version: orders.version })
        .from(orders)
        .where(buyerId === undefined ? undefined : eq(orders.buyerId, buyerId))
        .orderBy(desc(orders.startedAt), desc(orders.id))
        .limit(limit)
      return Promise.all(rows.map(view))
    },
  }
}

const dollars = (cents: number) => `$${toDollars(cents).toFixed(2)}`

/** The dashboard's subjects are orders: each one the start of a chain across contexts. */
export function orderSubjects(db: OrderingDb): SubjectKind {
  const summary = { id: orders.id, buyerId: orders.buyerId, status: orders.status, total: orders.total, startedAt: orders.startedAt }
  const toSummary = (r: { id: string; buyerId: string; status: string; total: number; startedAt: string }): SubjectSummary => ({
    id: r.id,
    status: r.status,
    owner: { label: 'buyer', id: r.buyerId },
    facts: [{ label: 'total', value: dollars(r.total) }],
    startedAt: r.startedAt,
  })
  return {
    name: 'order',
    aggregateType: 'Order',
    hint: 'Orders wait out a grace period before validation (GRACE_PERIOD_MS, 60 s by default).',
    // The order's status machine as the page draws it, each status with the event that reaches it.
    statuses: {
      statuses: [
        { status: 'submitted', reachedBy: 'OrderStarted', tone: 'warn' },
        { status: 'awaiting_validation', reachedBy: 'OrderStatusChangedToAwaitingValidation', tone: 'warn' },
        { status: 'stock_confirmed', reachedBy: 'OrderStatusChangedToStockConfirmed', tone: 'warn' },
        { status: 'paid', reachedBy: 'OrderStatusChangedToPaid', tone: 'ok' },
        { status: 'shipped', reachedBy: 'OrderShipped', tone: 'info' },
        { status: 'cancelled', reachedBy: 'OrderCancelled', tone: 'bad', stop: true },
      ],
    },
    async list(limit) {
      const rows = await db.select(summary).from(orders).orderBy(desc(orders.startedAt), desc(orders.id)).limit(limit)
      return rows.map(toSummary)
    },
    async find(ids) {
      const rows =
        ids.length === 0
          ? []
          : await db
              .select(summary)
              .from(orders)
              .where(inArray(orders.id, [...ids]))
      return rows.map(toSummary)
    },
  }
}
