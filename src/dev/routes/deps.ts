import type { Engine } from '../engine.ts'
import type { Schedules } from '../schedules.ts'
import type { Store } from '../store.ts'

/** What every route module needs: the engine for changes, the store for read-only lookups. */
export interface RouteDeps {
  engine: Engine
  schedules: Schedules
  store: Store
  token: string
  currentSigningKey: string
  nextSigningKey: string
}
