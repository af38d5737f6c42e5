/** Formatting for the page: short ids, counts and clock readings. Pure, no DOM. */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/**
 * The part of an id people can tell apart at a glance. A UUIDv7 (and a v1) begins with its
 * timestamp, so ids made in the same millisecond share their first characters: show the random
 * tail instead (`…c4f1e9a2`). Short ids are shown whole; the full id is always on hover and copy.
 */
export function short(id: string | null | undefined): string {
  const text = String(id ?? '')
  if (UUID.test(text)) return `…${text.slice(-8)}`
  return text.length <= 12 ? text : `…${text.slice(-8)}`
}

export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`
export const pad = (n: number, width = 2): string => String(n).padStart(width, '0')
export const spaced = (status: string): string => String(status).replace(/_/g, ' ')

/** HH:MM:SS.mmm in the browser's time zone, '' for nothing. */
export function clock(at: string | number | null | undefined): string {
  if (at === null || at === undefined) return ''
  const d = new Date(typeof at === 'number' ? at : Date.parse(at))
  if (Number.isNaN(d.getTime())) return ''
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`
}

/** A span in ms as people read it: `840 ms`, `2.30 s`, `12.5 s`. */
export function duration(ms: number): string {
  if (!Number.isFinite(ms)) return ''
  const rounded = Math.max(0, Math.round(ms))
  return rounded < 1000 ? `${rounded} ms` : `${(rounded / 1000).toFixed(rounded < 10_000 ? 2 : 1)} s`
}

/** How long after `origin` (epoch ms) something happened: `+840 ms`. */
export function since(at: string, origin: number): string {
  const ms = Date.parse(at) - origin
  return Number.isFinite(ms) ? `+${duration(ms)}` : ''
}

export function cloudEventName(type: string | null | undefined): { context: string; name: string; version: string } {
  const parts = String(type ?? '').split('.')
  return parts.length >= 4
    ? { context: parts[1] ?? '', name: parts[2] ?? '', version: parts[3] ?? '' }
    : { context: '', name: String(type || 'unknown'), version: '' }
}
