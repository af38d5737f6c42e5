/**
 * JSON with object keys sorted, so two values that differ only in key order serialise the same
 * (idempotency fingerprints, event comparisons in specs).
 *
 * @example
 * canonicalJson({ b: 1, a: 2 }) === canonicalJson({ a: 2, b: 1 }) // true
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  )
}
