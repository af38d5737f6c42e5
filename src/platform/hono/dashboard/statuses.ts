/**
 * How a subject (an order, a loan) moves, as the dashboard shows it: the statuses on the way in
 * order, each with the domain event that reaches it, and the stops off the way (`cancelled`)
 * shown only once reached. The context that owns the status machine declares it with its
 * subject kind; the page reads it from `GET /dashboard/api/service` and never keeps a copy.
 */
export interface StatusMachine {
  readonly statuses: readonly SubjectStatus[]
}

export type Tone = 'ok' | 'warn' | 'bad' | 'info'

export interface SubjectStatus {
  readonly status: string
  /**
   * The domain event type that moves a subject into this status (for a subject kind with no
   * stream of its own: the name of the integration event that says so, e.g. `OrderPaymentSucceeded`).
   */
  readonly reachedBy: string
  readonly tone?: Tone
  /** Off the happy path: shown only when reached. */
  readonly stop?: boolean
}

/** What the page shows when no context declared its statuses: no progress steps, neutral chips. */
export const NO_STATUSES: StatusMachine = { statuses: [] }
