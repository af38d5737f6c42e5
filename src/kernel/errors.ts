/**
 * How an error maps to a client-facing category. The HTTP layer turns kinds into status codes in
 * one place, so domain code never mentions HTTP.
 */
export type ErrorKind = 'invalid' | 'forbidden' | 'not-found' | 'conflict' | 'unprocessable' | 'unavailable'

/** Base of every error Herald raises on purpose: a stable `code` plus a human message. */
export class HeraldError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly kind: ErrorKind,
    readonly details?: Readonly<Record<string, unknown>>,
  ) {
    super(message)
    this.name = new.target.name
  }
}

/**
 * A business rule refused the command, e.g. `ORDER.INVALID_TRANSITION`.
 *
 * @example
 * throw new DomainError('ORDER.INVALID_TRANSITION', 'A paid order cannot be cancelled', 'conflict')
 */
export class DomainError extends HeraldError {
  constructor(code: string, message: string, kind: ErrorKind = 'conflict', details?: Record<string, unknown>) {
    super(code, message, kind, details)
  }
}

/** Another command changed the same aggregate first, and retrying did not help. */
export class ConcurrencyError extends HeraldError {
  constructor(message = 'The resource was changed by a concurrent request; retry with fresh data') {
    super('CONCURRENCY.CONFLICT', message, 'conflict')
  }
}

/** Handlers kept raising events past the depth limit: almost always a loop between handlers. */
export class CascadeDepthError extends HeraldError {
  constructor(
    readonly chain: readonly string[],
    maxDepth: number,
  ) {
    super('DISPATCH.CASCADE_TOO_DEEP', `Event cascade exceeded depth ${maxDepth}: ${chain.join(' → ')}`, 'unprocessable', { chain, maxDepth })
  }
}

/** The caller is known but may not do this (e.g. order for another buyer than the token's). */
export class ForbiddenError extends HeraldError {
  constructor(code: string, message: string) {
    super(code, message, 'forbidden')
  }
}

export class NotFoundError extends HeraldError {
  constructor(code: string, message: string) {
    super(code, message, 'not-found')
  }
}
