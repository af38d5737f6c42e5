/** A deterministic clock: starts at `start` and moves 1 ms per reading. */
export function steppingClock(start = '2026-01-01T00:00:00.000Z'): () => string {
  let now = Date.parse(start)
  return () => new Date(now++).toISOString()
}

/** Deterministic ids: `id-000001`, `id-000002`, … */
export function sequentialIds(prefix = 'id'): () => string {
  let n = 0
  return () => `${prefix}-${String(++n).padStart(6, '0')}`
}
