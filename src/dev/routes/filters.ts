/**
 * Query-string filters of the bulk endpoints, as the SDK sends them (repeated keys for several
 * values; `urlGroup` already renamed to `topicName`, though `urlGroup` is accepted too). A filter
 * the dev broker does not know is a 400, never silently ignored: ignoring it would widen a bulk
 * cancel/delete to everything.
 */
import type { Context } from 'hono'
import type { MessageFilter } from '../message-filter.ts'
import { HttpError } from '../model.ts'

export const DEFAULT_COUNT = 100

export function queryFilters(c: Context, supported: readonly string[]): Record<string, string[]> {
  const all = c.req.queries()
  const filters: Record<string, string[]> = {}
  for (const [key, values] of Object.entries(all)) {
    if (key === 'count' || key === 'cursor') continue
    if (!supported.includes(key)) throw new HttpError(400, `filter '${key}' is not supported by the dev broker`)
    filters[key] = values.filter((value) => value !== '')
  }
  return filters
}

/** Query names of the {@link MessageFilter} list fields. */
const LIST_FIELDS = {
  messageId: 'messageIds',
  messageIds: 'messageIds',
  url: 'urls',
  topicName: 'topicNames',
  urlGroup: 'topicNames',
  queueName: 'queueNames',
  label: 'labels',
  callerIp: 'callerIps',
  scheduleId: 'scheduleIds',
  flowControlKey: 'flowControlKeys',
  api: 'apis',
  host: 'hosts',
  path: 'paths',
} as const satisfies Record<string, keyof MessageFilter>

/** The filters every bulk endpoint shares (QStash's "universal" and identity fields). */
export const COMMON_FILTERS = [
  'url',
  'topicName',
  'urlGroup',
  'queueName',
  'label',
  'callerIp',
  'scheduleId',
  'flowControlKey',
  'api',
  'fromDate',
  'toDate',
] as const

/**
 * Parses the supported filters into a {@link MessageFilter}; the caller reads its own extra
 * keys (`dlqIds`, `responseStatus`, `state`) from `rest`.
 */
export function messageFilter(c: Context, supported: readonly string[]): { filter: MessageFilter; rest: Record<string, string[]> } {
  const raw = queryFilters(c, supported)
  const filter: MessageFilter = {}
  const rest: Record<string, string[]> = {}
  for (const [key, values] of Object.entries(raw)) {
    if (key === 'fromDate' || key === 'toDate') filter[key] = dateParam(key, values)
    else if (key in LIST_FIELDS) {
      const field = LIST_FIELDS[key as keyof typeof LIST_FIELDS]
      filter[field] = [...(filter[field] ?? []), ...values]
    } else rest[key] = values
  }
  return { filter, rest }
}

/** Unix ms, as the SDK sends a `Date` or a number. */
function dateParam(name: string, values: string[]): number | undefined {
  if (values.length === 0) return undefined
  if (values.length > 1) throw new HttpError(400, `${name} takes one value`)
  const value = Number(values[0])
  if (!Number.isFinite(value) || value < 0) throw new HttpError(400, `invalid ${name}: ${values[0]}`)
  return value
}

export function countParam(c: Context, atLeast = 0): number {
  const raw = c.req.query('count')
  const count = raw === undefined ? DEFAULT_COUNT : Number(raw)
  if (!Number.isInteger(count) || count <= 0) throw new HttpError(400, 'count must be a positive integer')
  return Math.max(count, atLeast)
}

export function cursorParam(c: Context): number | undefined {
  const raw = c.req.query('cursor')
  if (raw === undefined || raw === '') return undefined
  const cursor = Number(raw)
  if (!Number.isInteger(cursor)) throw new HttpError(400, 'invalid cursor')
  return cursor
}
