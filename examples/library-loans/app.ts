import { type AnyContext, withRoutes } from 'herald'
import { loans } from './loans/loans.ts'
import { loansRoutes } from './loans/loans.routes.ts'
import { members } from './members/members.ts'

export interface LibrarySettings {
  readonly loanPeriodMs: number
  readonly lateReturnsBeforeSuspension: number
}

/** Reads the library's settings from the environment (`LOAN_PERIOD_MS`, `LATE_RETURNS_BEFORE_SUSPENSION`). */
export function librarySettings(env: Readonly<Record<string, string | undefined>>): LibrarySettings {
  return {
    loanPeriodMs: Number(env.LOAN_PERIOD_MS ?? 14 * 24 * 3_600_000),
    lateReturnsBeforeSuspension: Number(env.LATE_RETURNS_BEFORE_SUSPENSION ?? 3),
  }
}

/** The library service: the only place that lists its contexts, and pairs loans with its routes. */
export function libraryContexts(settings: LibrarySettings): readonly AnyContext[] {
  return [
    withRoutes(loans({ loanPeriodMs: settings.loanPeriodMs }), loansRoutes),
    members({ lateReturnsBeforeSuspension: settings.lateReturnsBeforeSuspension }),
  ]
}
