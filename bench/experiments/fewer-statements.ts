import type { Statement } from '../../src/kernel/index.ts'

/**
 * PROPOSAL (bench-only until applied to src/platform/store/journal.ts): one multi-row INSERT
 * for all of a command's domain events and one for its outbox rows, instead of one statement
 * per row. Same rows, same order (events first, so the stream key still aborts a stale batch);
 * fewer statements to prepare and run (@libsql/client prepares every statement on every call).
 *
 * Here it is applied from outside: consecutive statements with the same `INSERT … VALUES (…)`
 * text are merged into one `VALUES (…), (…)` statement.
 */
export function mergeInserts(statements: readonly Statement[]): Statement[] {
  const merged: Statement[] = []
  for (const statement of statements) {
    const previous = merged.at(-1) as (Statement & { base?: string; tuple?: string }) | undefined
    const split = splitValues(statement.sql)
    if (previous && split && previous.base === split.base && previous.tuple === split.tuple) {
      merged[merged.length - 1] = Object.assign(
        { sql: `${previous.sql}, ${split.tuple}`, args: [...previous.args, ...statement.args] },
        { base: split.base, tuple: split.tuple },
      )
    } else merged.push(split ? Object.assign({ sql: statement.sql, args: statement.args }, split) : statement)
  }
  return merged.map(({ sql, args }) => ({ sql, args }))
}

function splitValues(sql: string): { base: string; tuple: string } | undefined {
  if (!/^\s*INSERT INTO/i.test(sql)) return undefined
  const at = sql.search(/\bVALUES\s*\(/i)
  if (at < 0) return undefined
  const tuple = sql.slice(sql.indexOf('(', at)).trim()
  // only a single trailing tuple (no ON CONFLICT, no SELECT)
  if (!/^\([^()]*\)$/.test(tuple.replace(/'[^']*'/g, ''))) return undefined
  return { base: sql.slice(0, at), tuple }
}
