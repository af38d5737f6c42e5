import { describe, expect, it } from 'bun:test'
import { short } from '../../src/platform/hono/dashboard/client/format.ts'
import { uuidv7 } from '../../src/platform/ids.ts'

/*
 * The page's short ids. A UUIDv7 begins with its timestamp (48 bits of milliseconds), so the
 * first characters of ids made within a minute are the same: the page shows the random tail.
 */
describe('short ids on the dashboard', () => {
  it('tells apart UUIDv7s made one after another, by a part of the id itself', () => {
    const ids = Array.from({ length: 200 }, () => uuidv7())
    // What the page used to show (the first 8 characters): alike for every id of the same minute.
    expect(new Set(ids.map((id) => id.slice(0, 8))).size).toBeLessThanOrEqual(2)
    const labels = ids.map(short)
    expect(new Set(labels).size).toBe(ids.length)
    for (const [i, id] of ids.entries()) expect(id.endsWith(labels[i]!.replace('…', ''))).toBe(true)
  })

  it('shows a short id whole, and the tail of a long one', () => {
    expect(short('o-1')).toBe('o-1')
    expect(short('loan-from-2025')).toBe('…rom-2025')
    expect(short(null)).toBe('')
  })
})
