import type { Client } from '@libsql/client'
import type { Committer, Statement } from '../../kernel/index.ts'
import type { Database } from './database.ts'

/**
 * Erasing personal data from an embedded libSQL file takes more than deleting it: the old bytes
 * live on in three places. `secure_delete` zeroes what the erasing batch frees; `VACUUM`
 * rewrites the file so no page freed or moved earlier keeps a copy; and the WAL
 * (`herald.db-wal`) keeps every earlier version of each page it ever held — a checkpoint copies
 * the newest into the file but leaves the old frames there until they are overwritten, so only
 * `wal_checkpoint(TRUNCATE)` empties it. A remote database (Turso) manages its own storage.
 */

/**
 * Stage this first in a batch that erases: `PRAGMA secure_delete` is per connection, so it rides
 * in the batch. It also marks the batch as an erasure: {@link scrubbingAfterErasure} scrubs the
 * file once such a batch is durable.
 */
export const secureDelete: Statement = { sql: 'PRAGMA secure_delete = ON', args: [] }

const erases = (statements: readonly Statement[]) => statements.some((statement) => statement.sql === secureDelete.sql)

/**
 * A committer that, after every batch that erases (one holding {@link secureDelete}), scrubs
 * the file before `commit` returns: whoever answers for the erasure (the admin route, a
 * subscriber's delivery) answers only once no clear copy is left on disk.
 */
export function scrubbingAfterErasure(database: Database, committer: Committer = database.committer): Committer {
  return {
    async commit(statements) {
      await committer.commit(statements)
      if (erases(statements)) await scrubFreedSpace(database)
    },
  }
}

/** `VACUUM`, then empty the WAL, in the write lane so no commit lands in between. */
export async function scrubFreedSpace(database: Database): Promise<void> {
  if (database.client.protocol !== 'file') return
  await database.write(async () => {
    await database.client.execute('VACUUM')
    await truncateWal(database.client)
  })
}

/**
 * `wal_checkpoint(TRUNCATE)` waits (busy timeout) for readers of older snapshots and answers
 * `busy = 1` when one outlived it; the WAL is only emptied by a checkpoint that was not busy.
 */
async function truncateWal(client: Client, attempts = 5): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const { rows } = await client.execute('PRAGMA wal_checkpoint(TRUNCATE)')
    if (Number(rows[0]?.[0] ?? 0) === 0) return
    if (attempt === attempts) throw new Error('could not empty the WAL after an erasure: a reader kept an older snapshot open')
  }
}
