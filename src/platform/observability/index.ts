import type { Database } from '../store/database.ts'
import { changeFeed } from './change-feed.ts'
import { deliveryLog } from './delivery-log.ts'
import type { ContributedDashboard } from './subjects.ts'
import type { TimelineOptions } from './timeline.ts'
import { type Peer, timelineReader } from './timeline-reader.ts'

export * from './change-feed.ts'
export * from './delivery-log.ts'
export * from './subjects.ts'
export * from './timeline.ts'
export * from './timeline-reader.ts'

/**
 * Everything the event-flow dashboard needs, built once in the composition root: the delivery
 * log (and its route recorder), ONE change feed shared by every live dashboard, and the reader
 * that turns the tables into timelines.
 */
export function createObservability(
  deps: {
    database: Database
    clock?: () => string
    pollIntervalMs?: number
    /** The URL-group plan (`herald.urlGroupPlan`): who should receive each event type. */
    urlGroups?: () => readonly { readonly urlGroup: string; readonly endpoints: readonly { readonly name: string }[] }[]
    /** What each context shows (its subjects, its reactions, its demo), with its name. */
    dashboards?: readonly ContributedDashboard[]
    serviceName?: string
    peers?: readonly Peer[]
    /** Opens sealed personal data for display (the service's vault). */
    reveal?: (data: unknown) => Promise<unknown>
  } & TimelineOptions,
) {
  const log = deliveryLog(deps.database, deps.clock ? { clock: deps.clock } : {})
  const feed = changeFeed(deps.database, deps.pollIntervalMs === undefined ? {} : { intervalMs: deps.pollIntervalMs })
  let targets: Map<string, string[]> | undefined
  const fromPlan = deps.urlGroups
    ? (type: string) => {
        targets ??= new Map(deps.urlGroups!().map((g) => [g.urlGroup, g.endpoints.map((e) => e.name)]))
        return targets.get(type) ?? []
      }
    : undefined
  const expectedTargets = deps.expectedTargets ?? fromPlan
  const reader = timelineReader({
    database: deps.database,
    deliveryLog: log,
    ...(deps.aggregateContexts ? { aggregateContexts: deps.aggregateContexts } : {}),
    ...(deps.dashboards ? { dashboards: deps.dashboards } : {}),
    ...(deps.serviceName ? { serviceName: deps.serviceName } : {}),
    ...(deps.peers ? { peers: deps.peers } : {}),
    ...(deps.reveal ? { reveal: deps.reveal } : {}),
    ...(expectedTargets ? { expectedTargets } : {}),
  })
  return {
    deliveryLog: log,
    /** Middleware for `/subscribers/:context` (`subscriber`) and `/internal/handlers/:name` (`handler`). */
    recordDeliveries: log.recorder,
    feed,
    reader,
  }
}

export type Observability = ReturnType<typeof createObservability>
