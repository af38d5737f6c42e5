/**
 * Polls `check` until it returns a truthy value or the deadline passes (no fixed sleeps in
 * tests: we wait for a condition, and fail with the last value seen).
 */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  { timeoutMs = 15_000, intervalMs = 20, what = 'condition' }: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs
  let last: T | undefined
  for (;;) {
    last = await check()
    if (last) return last as NonNullable<T>
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}; last value: ${JSON.stringify(last)}`)
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
  }
}
