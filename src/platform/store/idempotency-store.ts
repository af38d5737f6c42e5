import type { IdempotencyStore } from '../../kernel/index.ts'
import type { Database } from './database.ts'

export function sqlIdempotencyStore({ client }: Database): IdempotencyStore {
  return {
    async find(key) {
      const { rows } = await client.execute({
        sql: 'SELECT request_hash, status_code, response FROM idempotency_keys WHERE key = ?',
        args: [key],
      })
      const row = rows[0]
      if (!row) return undefined
      return { fingerprint: String(row.request_hash), status: Number(row.status_code), body: JSON.parse(String(row.response)) }
    },
    record: (key, response, at) => ({
      sql: 'INSERT INTO idempotency_keys (key, request_hash, status_code, response, created_at) VALUES (?, ?, ?, ?, ?)',
      args: [key, response.fingerprint, response.status, JSON.stringify(response.body), at],
    }),
  }
}

/** Deletes the responses recorded before `instant` (ISO-8601); a key older than that runs the command again. */
export async function pruneIdempotencyKeys({ client }: Database, instant: string): Promise<number> {
  const result = await client.execute({ sql: 'DELETE FROM idempotency_keys WHERE created_at < ?', args: [instant] })
  return result.rowsAffected
}
