import { describe, expect, it } from 'bun:test'
import { readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'

/*
 * What the README's shape promises a newcomer and the tools that read it: the first screen has
 * the two commands and the first order with its short grace period before the curl; one
 * performance table, between the markers its generator fills; figures elsewhere refer to it.
 */

const ROOT = resolve(import.meta.dir, '../..')
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
const BEGIN = '<!-- perf-table:begin -->'
const END = '<!-- perf-table:end -->'

describe('the README', () => {
  it('shows the two commands and the first order, short grace period first, on its first screen', () => {
    const firstScreen = readme.split('\n').slice(0, 60).join('\n')
    expect(firstScreen).toContain('npm install && npm run dev')
    expect(firstScreen).toContain('npm install && npm test')
    const grace = firstScreen.indexOf('GRACE_PERIOD_MS=2000 npm run dev')
    expect(grace).toBeGreaterThan(-1)
    expect(grace).toBeLessThan(firstScreen.indexOf('curl -s -X POST localhost:3000/orders'))
  })

  it('holds one performance table, between the markers its generator fills', () => {
    expect(readme.split(BEGIN)).toHaveLength(2)
    expect(readme.split(END)).toHaveLength(2)
    const table = readme.slice(readme.indexOf(BEGIN) + BEGIN.length, readme.indexOf(END)).trim()
    expect(table.startsWith('| figure |')).toBe(true)
    const outside = readme.replace(readme.slice(readme.indexOf(BEGIN), readme.indexOf(END)), '')
    expect(outside).not.toMatch(/req\/s|orders\/s|KiB gzip/)
  })

  it('and docs/ refer to the table instead of restating its figures', () => {
    const docs = join(ROOT, 'docs')
    for (const file of readdirSync(docs).filter((name) => name.endsWith('.md'))) {
      expect(readFileSync(join(docs, file), 'utf8'), file).not.toMatch(/\d[\d,.]* (?:req\/s|orders\/s)|\d+ KiB gzip/)
    }
  })
})
