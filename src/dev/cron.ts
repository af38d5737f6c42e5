/**
 * The 5-field cron syntax QStash schedules use (minute hour day-of-month month day-of-week), with
 * an optional `CRON_TZ=<IANA zone>` prefix (UTC otherwise): `*`, lists, ranges, steps (`*\/5`,
 * `1-10/2`, `3/15`), month and day names (`JAN`, `mon`), 7 as Sunday, and the `@yearly`,
 * `@monthly`, `@weekly`, `@daily`, `@hourly` shorthands. When both day fields are restricted a
 * day matching either one fires (classic cron). Written here instead of a dependency: it is small
 * and the broker needs only "the next minute after t".
 */

export class CronError extends Error {}

export interface Cron {
  /** The expression as given (shown back by the schedule API). */
  source: string
  timeZone: string
  minutes: Set<number>
  hours: Set<number>
  days: Set<number>
  months: Set<number>
  weekdays: Set<number>
  /** Whether the day fields were `*` (an unrestricted one does not widen the other). */
  anyDay: boolean
  anyWeekday: boolean
}

const SHORTHANDS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
}
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC']
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT']

export function parseCron(source: string): Cron {
  let text = source.trim()
  let timeZone = 'UTC'
  const tz = /^(?:CRON_TZ|TZ)=(\S+)\s+/.exec(text)
  if (tz) {
    timeZone = tz[1] as string
    text = text.slice(tz[0].length)
    try {
      new Intl.DateTimeFormat('en-US', { timeZone })
    } catch {
      throw new CronError(`unknown time zone: ${timeZone}`)
    }
  }
  text = SHORTHANDS[text.toLowerCase()] ?? text
  const fields = text.split(/\s+/)
  if (fields.length !== 5) throw new CronError(`a cron expression has 5 fields, got ${fields.length}: ${source}`)
  const [minute, hour, day, month, weekday] = fields as [string, string, string, string, string]
  const weekdays = field(weekday, 0, 7, WEEKDAYS, 'day of week')
  if (weekdays.delete(7)) weekdays.add(0)
  return {
    source,
    timeZone,
    minutes: field(minute, 0, 59, [], 'minute'),
    hours: field(hour, 0, 23, [], 'hour'),
    days: field(day, 1, 31, [], 'day of month'),
    months: field(month, 1, 12, MONTHS, 'month'),
    weekdays,
    anyDay: day === '*' || day === '?',
    anyWeekday: weekday === '*' || weekday === '?',
  }
}

function field(text: string, min: number, max: number, names: string[], what: string): Set<number> {
  const values = new Set<number>()
  const value = (raw: string): number => {
    const named = names.indexOf(raw.toUpperCase())
    // Month names count from 1, day names from 0 (SUN).
    const number = named >= 0 ? named + (names === MONTHS ? 1 : 0) : /^\d+$/.test(raw) ? Number(raw) : NaN
    if (!(number >= min && number <= max)) throw new CronError(`invalid ${what}: ${raw}`)
    return number
  }
  for (const part of text.split(',')) {
    const [range = '', stepText] = part.split('/')
    const step = stepText === undefined ? 1 : Number(stepText)
    if (!Number.isInteger(step) || step < 1) throw new CronError(`invalid ${what} step: ${part}`)
    let from: number
    let to: number
    if (range === '*' || range === '?') [from, to] = [min, max]
    else if (range.includes('-')) {
      const [a = '', b = ''] = range.split('-')
      ;[from, to] = [value(a), value(b)]
      if (from > to) throw new CronError(`invalid ${what} range: ${range}`)
    } else {
      from = value(range)
      // `3/15` means from 3 to the end in steps of 15.
      to = stepText === undefined ? from : max
    }
    for (let n = from; n <= to; n += step) values.add(n)
  }
  return values
}

interface WallTime {
  month: number
  day: number
  hour: number
  minute: number
  weekday: number
  daysInMonth: number
}

const formatters = new Map<string, Intl.DateTimeFormat>()

function wallTime(ms: number, timeZone: string): WallTime {
  let year: number, month: number, day: number, hour: number, minute: number
  if (timeZone === 'UTC') {
    const date = new Date(ms)
    ;[year, month, day, hour, minute] = [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), date.getUTCHours(), date.getUTCMinutes()]
  } else {
    let format = formatters.get(timeZone)
    if (!format) {
      format = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
      })
      formatters.set(timeZone, format)
    }
    const parts = Object.fromEntries(format.formatToParts(ms).map((part) => [part.type, Number(part.value)]))
    ;[year, month, day, hour, minute] = [parts.year, parts.month, parts.day, parts.hour, parts.minute] as number[] as [number, number, number, number, number]
  }
  const weekday = new Date(Date.UTC(year, month - 1, day)).getUTCDay()
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate()
  return { month, day, hour, minute, weekday, daysInMonth }
}

const MINUTE = 60_000
/** Enough steps for any satisfiable expression (month, day, hour and minute jumps); beyond, none fires. */
const MAX_STEPS = 50_000

/** The first whole minute strictly after `after` (unix ms) the expression fires at. */
export function nextFiring(cron: Cron, after: number): number {
  let t = Math.floor(after / MINUTE) * MINUTE + MINUTE
  for (let step = 0; step < MAX_STEPS; step++) {
    const wall = wallTime(t, cron.timeZone)
    const toNextHour = 60 - wall.minute
    const toNextDay = (23 - wall.hour) * 60 + toNextHour
    if (!cron.months.has(wall.month)) t += ((wall.daysInMonth - wall.day) * 1440 + toNextDay) * MINUTE
    else if (!dayMatches(cron, wall)) t += toNextDay * MINUTE
    else if (!cron.hours.has(wall.hour)) t += toNextHour * MINUTE
    else if (!cron.minutes.has(wall.minute)) t += MINUTE
    else return t
  }
  throw new CronError(`cron expression never fires: ${cron.source}`)
}

function dayMatches(cron: Cron, wall: WallTime): boolean {
  const byDay = cron.days.has(wall.day)
  const byWeekday = cron.weekdays.has(wall.weekday)
  if (cron.anyDay && cron.anyWeekday) return true
  if (cron.anyDay) return byWeekday
  if (cron.anyWeekday) return byDay
  return byDay || byWeekday
}
