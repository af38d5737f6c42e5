import { describe, expect, test } from 'bun:test'
import { CronError, nextFiring, parseCron } from '../../src/dev/cron.ts'

const at = (iso: string) => Date.parse(iso)
const next = (cron: string, after: string) => new Date(nextFiring(parseCron(cron), at(after))).toISOString()

describe('dev broker: cron expressions', () => {
  test('fields, lists, ranges, steps and names (UTC)', () => {
    expect(next('* * * * *', '2026-01-01T00:00:30Z')).toBe('2026-01-01T00:01:00.000Z')
    expect(next('* * * * *', '2026-01-01T00:01:00Z')).toBe('2026-01-01T00:02:00.000Z') // strictly after
    expect(next('*/15 * * * *', '2026-01-01T00:16:00Z')).toBe('2026-01-01T00:30:00.000Z')
    expect(next('5/20 9-17 * * *', '2026-01-01T17:46:00Z')).toBe('2026-01-02T09:05:00.000Z')
    expect(next('0 9 * * MON-FRI', '2026-01-02T09:00:00Z')).toBe('2026-01-05T09:00:00.000Z') // Fri → Mon
    expect(next('0 0 1 jan,JUL *', '2026-02-01T00:00:00Z')).toBe('2026-07-01T00:00:00.000Z')
    expect(next('0 0 29 2 *', '2026-03-01T00:00:00Z')).toBe('2028-02-29T00:00:00.000Z')
    expect(next('0 12 * * 7', '2026-01-01T00:00:00Z')).toBe('2026-01-04T12:00:00.000Z') // 7 is Sunday
    // Both day fields restricted: either matches (the 13th, or any Friday).
    expect(next('0 0 13 * 5', '2026-01-01T00:00:00Z')).toBe('2026-01-02T00:00:00.000Z')
    expect(next('@hourly', '2026-01-01T10:59:59Z')).toBe('2026-01-01T11:00:00.000Z')
    expect(next('@monthly', '2026-01-15T00:00:00Z')).toBe('2026-02-01T00:00:00.000Z')
  })

  test('CRON_TZ: wall-clock time in the zone, across daylight saving', () => {
    // 09:00 in New York is 14:00 UTC in winter (EST), 13:00 UTC in summer (EDT).
    expect(next('CRON_TZ=America/New_York 0 9 * * *', '2026-01-10T15:00:00Z')).toBe('2026-01-11T14:00:00.000Z')
    expect(next('CRON_TZ=America/New_York 0 9 * * *', '2026-07-10T15:00:00Z')).toBe('2026-07-11T13:00:00.000Z')
    expect(next('CRON_TZ=Asia/Kolkata 30 0 * * *', '2026-01-01T00:00:00Z')).toBe('2026-01-01T19:00:00.000Z')
  })

  test('invalid expressions are refused', () => {
    for (const bad of [
      '* * * *',
      '60 * * * *',
      '* 24 * * *',
      '* * 0 * *',
      '* * * 13 *',
      '*/0 * * * *',
      '5-1 * * * *',
      'x * * * *',
      'CRON_TZ=Nowhere/City * * * * *',
    ]) {
      expect(() => parseCron(bad)).toThrow(CronError)
    }
    expect(() => nextFiring(parseCron('0 0 31 2 *'), 0)).toThrow(CronError)
  })
})
