import { catalog } from '../catalog/catalog.ts'
import { notifications } from '../notifications/notifications.ts'
import { ordering } from '../ordering/ordering.ts'
import { payment } from '../payment/payment.ts'
import { type Env, integer } from '../platform/config.ts'
import type { AnyContext } from '../platform/context.ts'

export interface ReferenceSettings {
  /** Time an order can be cancelled before validation (`GRACE_PERIOD_MS`, default 60 s). */
  readonly gracePeriodMs: number
}

export const referenceSettings = (env: Env): ReferenceSettings => ({
  gracePeriodMs: integer(env.GRACE_PERIOD_MS, 60_000, 'GRACE_PERIOD_MS'),
})

/** The reference service's four contexts: the one place that lists them. */
export function referenceContexts(settings: ReferenceSettings) {
  return {
    ordering: ordering(settings),
    catalog,
    payment,
    notifications: notifications(),
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
