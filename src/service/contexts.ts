import { catalogRoutes } from '../../routes/catalog.ts'
import { notificationRoutes } from '../../routes/notifications.ts'
import { orderingRoutes } from '../../routes/ordering/orders.ts'
import { catalog } from '../catalog/index.ts'
import { notifications } from '../notifications/index.ts'
import { ordering } from '../ordering/index.ts'
import { payment } from '../payment/index.ts'
import { type Env, integer } from '../platform/config.ts'
import { type AnyContext, withRoutes } from '../platform/context.ts'

export interface ReferenceSettings {
  /** Time an order can be cancelled before validation (`GRACE_PERIOD_MS`, default 60 s). */
  readonly gracePeriodMs: number
}

export const referenceSettings = (env: Env): ReferenceSettings => ({
  gracePeriodMs: integer(env.GRACE_PERIOD_MS, 60_000, 'GRACE_PERIOD_MS'),
})

/** The reference service's four contexts, each paired with its routes: the one place that lists them. */
export function referenceContexts(settings: ReferenceSettings) {
  return {
    ordering: withRoutes(ordering(settings), orderingRoutes),
    catalog: withRoutes(catalog, catalogRoutes),
    payment,
    notifications: withRoutes(notifications(), notificationRoutes),
  } satisfies Record<string, AnyContext>
}

export type ReferenceContexts = ReturnType<typeof referenceContexts>

/**
 * The contexts this service runs: `HERALD_CONTEXTS` (comma-separated, default all four). Split
 * into services, each runs some of them on its own database and talks to the others only through
 * integration events on the shared broker.
 */
export function selectContexts(env: Env): AnyContext[] {
  const all = referenceContexts(referenceSettings(env))
  const wanted = (env.HERALD_CONTEXTS ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean)
  if (wanted.length === 0) return Object.values(all)
  const unknown = wanted.filter((name) => !(name in all))
  if (unknown.length > 0) throw new Error(`HERALD_CONTEXTS names unknown contexts: ${unknown.join(', ')} (known: ${Object.keys(all).join(', ')})`)
  return Object.values(all).filter((context) => wanted.includes(context.name))
}
