/**
 * Query-string filters of the bulk endpoints, as the SDK sends them (repeated keys for several
 * values; `urlGroup` already renamed to `topicName`). A filter the dev broker does not implement
 * is a 400, never silently ignored: ignoring it would widen a bulk cancel/delete to everything.
 */
import type { Context } from 'hono'
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
