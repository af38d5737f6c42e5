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
