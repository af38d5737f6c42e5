import { describe, expect, test } from 'bun:test'
import { defaultBackoffMs, parseRetryDelay } from '../../src/dev/retry-delay.ts'

describe('dev broker: retry delay expressions', () => {
  test.each([
    ['1000', 3, 1000],
    ['1000 * (1 + retried)', 0, 1000],
    ['1000 * (1 + retried)', 2, 3000],
    ['pow(2, retried) * 1000', 3, 8000],
    ['max(10, pow(2, retried))', 2, 10],
    ['min(5000, 100 * exp(retried))', 10, 5000],
    ['sqrt(16) + abs(-2) + floor(1.7) + ceil(1.2) + round(2.5)', 0, 4 + 2 + 1 + 2 + 3],
    ['-retried + 10 % 4 - 2 / 2', 1, -1 + 2 - 1],
  ])('%s with retried=%d is %d', (source, retried, expected) => {
    expect(parseRetryDelay(source)(retried)).toBe(Math.max(0, expected))
  })

  test.each(['', 'eval(1)', 'process.exit(1)', 'retried;1', '1 +', 'pow(1)', '(1', 'constructor', '1e3'])('refuses %p', (source) => {
    expect(() => parseRetryDelay(source)).toThrow()
  })

  test('negative or non-finite results are clamped to [0, 1 day]', () => {
    expect(parseRetryDelay('0 - 5')(0)).toBe(0)
    expect(parseRetryDelay('1 / 0')(0)).toBe(0)
    expect(parseRetryDelay('pow(10, 12)')(0)).toBe(86_400_000)
  })

  test('default backoff is min(1 day, e^(2.5·n)) seconds', () => {
    expect(defaultBackoffMs(1)).toBeCloseTo(Math.exp(2.5) * 1000)
    expect(defaultBackoffMs(2)).toBeCloseTo(Math.exp(5) * 1000)
    expect(defaultBackoffMs(5)).toBe(86_400_000)
  })
})
