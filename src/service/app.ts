import { createHerald, type HeraldOptions } from '../platform/herald.ts'
import type { Database } from '../platform/store/database.ts'
import { migrateDatabase } from '../platform/store/migrate.ts'
import { type ReferenceSettings, referenceContexts } from './contexts.ts'

export interface ReferenceOptions extends Omit<HeraldOptions, 'contexts'> {
  /** Default: 60 s, as `GRACE_PERIOD_MS` defaults. */
  readonly gracePeriodMs?: ReferenceSettings['gracePeriodMs']
}

/**
 * The reference service: Ordering, Catalog, Payment and Notifications composed with the toolkit,
 * with each context's API at hand (`herald.ordering.startOrder(…)`).
 */
export function createReferenceHerald(options: ReferenceOptions) {
  const { gracePeriodMs = 60_000, ...rest } = options
  const contexts = referenceContexts({ gracePeriodMs })
  const herald = createHerald({ ...rest, contexts: Object.values(contexts) })
  return {
    ...herald,
    ordering: herald.api(contexts.ordering),
    catalog: herald.api(contexts.catalog),
    notifications: herald.api(contexts.notifications),
  }
}

export type ReferenceHerald = ReturnType<typeof createReferenceHerald>

/** Applies the toolkit's and the four contexts' migrations (tests and benches on a fresh file). */
export const migrateReferenceDatabase = (database: Database) => migrateDatabase(database, Object.values(referenceContexts({ gracePeriodMs: 0 })))
