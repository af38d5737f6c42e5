/**
 * Every string Herald builds from a name, in one place: CloudEvents types (which are also the
 * QStash URL-group names), schema registry keys, subscriber paths and after-commit job topics.
 * Everything else builds and parses them through these functions, never with its own template
 * or regex.
 *
 * @example
 * eventType({ source: 'ordering', name: 'OrderShipped', version: 1 }) // 'herald.ordering.OrderShipped.v1'
 * parseEventType('herald.ordering.OrderShipped.v1') // { source: 'ordering', name: 'OrderShipped', version: 1 }
 * jobTopic('remindWhenLoanDue')                      // 'handler:remindWhenLoanDue'
 */

/** What names one integration-event contract: its owning context, its event name, its major version. */
export interface EventAddress {
  readonly source: string
  readonly name: string
  readonly version: number
}

const PREFIX = 'herald'
/** A context name: lowercase, digits and dashes (it appears in paths and CloudEvents types). */
export const CONTEXT_NAME = /^[a-z][a-z0-9-]*$/
const EVENT_TYPE = /^herald\.([a-z][a-z0-9-]*)\.([A-Za-z][A-Za-z0-9]*)\.v([1-9][0-9]*)$/
const SCHEMA_KEY = /^herald\.([a-z][a-z0-9-]*)\.([A-Za-z][A-Za-z0-9]*)$/
const JOB = 'handler:'

/** `herald.ordering.OrderStatusChangedToPaid.v1`: the CloudEvents `type`, and the URL group's name. */
export const eventType = (a: EventAddress): string => `${PREFIX}.${a.source}.${a.name}.v${a.version}`

export function parseEventType(type: string): EventAddress | undefined {
  const match = EVENT_TYPE.exec(type)
  return match ? { source: match[1]!, name: match[2]!, version: Number(match[3]) } : undefined
}

/** `herald.ordering.OrderStatusChangedToPaid`: an event across its versions (the registry's key). */
export const schemaKey = (a: Pick<EventAddress, 'source' | 'name'>): string => `${PREFIX}.${a.source}.${a.name}`

export function parseSchemaKey(key: string): Pick<EventAddress, 'source' | 'name'> | undefined {
  const match = SCHEMA_KEY.exec(key)
  return match ? { source: match[1]!, name: match[2]! } : undefined
}

/** `/schemas/herald.ordering.OrderShipped/1`: where a contract's JSON Schema is served. */
export const schemaPath = (a: EventAddress): string => `/schemas/${schemaKey(a)}/${a.version}`

/** `/herald/ordering`: the CloudEvents `source` of a context's events. */
export const eventSource = (context: string): string => `/${PREFIX}/${context}`

/** `/subscribers/ordering`: where QStash delivers a context's integration events. */
export const subscriberPath = (context: string): string => `/subscribers/${context}`

/** `handler:<name>`: the outbox topic of an after-commit handler's durable job. */
export const jobTopic = (handlerName: string): string => `${JOB}${handlerName}`

/** The handler an outbox topic names, or undefined for an integration event's topic. */
export const parseJobTopic = (topic: string): string | undefined => (topic.startsWith(JOB) ? topic.slice(JOB.length) : undefined)

const JOBS = '/internal/handlers/'

/** `/internal/handlers/<name>`: where QStash delivers an after-commit job. */
export const jobPath = (handlerName: string): string => `${JOBS}${encodeURIComponent(handlerName)}`

/** The two delivery routes as OpenAPI path templates (`{param}`), for the routes that serve them. */
export const deliveryRoutes = {
  subscriber: subscriberPath('{context}') as '/subscribers/{context}',
  job: `${JOBS}{name}` as '/internal/handlers/{name}',
}

/**
 * The inbox's subscriber key: `ordering:confirmStockWhenStockConfirmed` for a context's
 * integration-event handler, `handler:<name>` for an after-commit job.
 */
export const inboxKey = (target: { context: string; handler: string } | { job: string }): string =>
  'job' in target ? jobTopic(target.job) : `${target.context}:${target.handler}`

/** Who an inbox key names: the delivery target (a context, or the job's handler) and the handler. */
export function parseInboxKey(key: string): { target: string; handler: string; kind: 'subscriber' | 'handler' } {
  const job = parseJobTopic(key)
  if (job !== undefined) return { target: job, handler: job, kind: 'handler' }
  const at = key.indexOf(':')
  return at < 0 ? { target: key, handler: '', kind: 'subscriber' } : { target: key.slice(0, at), handler: key.slice(at + 1), kind: 'subscriber' }
}

/** Whether `name` can name a context, an event, or the like (used by start-up checks). */
export const isContextName = (name: string): boolean => CONTEXT_NAME.test(name)
