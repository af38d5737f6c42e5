export interface WaitOptions {
  /** Give up after this long (default 15 s). */
  readonly timeoutMs?: number
  /** Poll period (default 20 ms). */
  readonly intervalMs?: number
  /** Named in the timeout error: "waiting for <what>". */
  readonly what?: string
}

/**
 * Polls `check` until it returns a truthy value or the deadline passes: tests wait for a
 * condition, never for a fixed time, and fail with the last value seen.
 *
 * @example
 * await waitFor(async () => (await getLoan(id)).status === 'overdue', { timeoutMs: 5_000, what: 'the reminder' })
 */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  { timeoutMs = 15_000, intervalMs = 20, what = 'condition' }: WaitOptions = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const last = await check()
    if (last) return last as NonNullable<T>
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}; last value: ${JSON.stringify(last)}`)
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
  }
}
