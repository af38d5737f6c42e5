/**
 * Time as the broker reads it: due times, delays, backoff, flow-control periods and schedule
 * firings all go through one clock, so a test can inject a manual one and move time on at will
 * instead of sleeping. (Signatures keep the real time: the Receiver checks `exp`/`nbf` with it.)
 */
export interface Clock {
  now(): number
  setTimeout(task: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (task, ms) => setTimeout(task, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
}
