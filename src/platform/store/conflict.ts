/**
 * A constraint the batch tripped because another command committed first: a duplicate key
 * (stale aggregate version, idempotency key, inbox entry) or a CHECK guarding a read the
 * command relied on (`occ_guard`, stock never below reservations).
 */
export function isConflict(error: unknown): boolean {
  if (!(error instanceof Error)) return false
  const code = (error as { code?: string }).code ?? ''
  return code.startsWith('SQLITE_CONSTRAINT') && /UNIQUE|PRIMARY KEY|CHECK/i.test(error.message)
}
