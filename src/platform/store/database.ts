import { type Client, type Config, createClient, type InStatement } from '@libsql/client'
import { ConcurrencyError, type Committer, type Statement } from '../../kernel/index.ts'
import { isConflict } from './conflict.ts'
import { clientWriter, groupCommitter, type Writer } from './group-commit.ts'
import { preparedFileWriter } from './prepared-writer.ts'

export { isConflict }

export interface Database {
  readonly client: Client
  readonly committer: Committer
  /** Runs a write on the embedded client's single writer lane (see {@link batchCommitter}). */
  write<T>(task: () => Promise<T>): Promise<T>
  close(): void
}

/**
 * Opens libSQL (embedded `file:` or remote) with a committer that writes each command's
 * changeset in ONE atomic batch. Contexts put drizzle on `client` with their own schema.
 * An embedded file commits with statements prepared once (prepared-writer.ts).
 */
export function openDatabase(config: Config): Database {
  const withTimeout = { timeout: 5000, ...config }
  const client = createClient(withTimeout)
  if (client.protocol !== 'file') return fromClient(client)
  const writer = preparedFileWriter(withTimeout, client, clientWriter(client))
  const database = fromClient(client, writer)
  return {
    ...database,
    close() {
      writer.close()
      database.close()
    },
  }
}

/** `writer`: how the embedded file's group committer writes (default: through `client`). */
export function fromClient(client: Client, writer: Writer = clientWriter(client)): Database {
  const serial = mutex()
  // Embedded file: concurrent commands share one fsync. Remote: one batch, one round-trip each.
  const committer = client.protocol === 'file' ? groupCommitter(writer, serial) : batchCommitter(client, serial)
  return { client, committer, write: serial, close: () => client.close() }
}

/**
 * Commits each changeset as one `batch`: one round-trip to Turso. (Embedded files get the group
 * committer instead, which writes the batches that arrive together in one transaction.)
 * Writes are serialised in-process: two write transactions at once on one embedded client
 * deadlock it (libSQL has one writer per file; the second waits on a lock the first never releases in-process). A unique-key violation means a concurrent command won the
 * race (stale aggregate version, same idempotency key, same inbox entry), so it becomes a
 * {@link ConcurrencyError} the command runner retries.
 */
export function batchCommitter(client: Client, serial = mutex()): Committer {
  return {
    commit: (statements: readonly Statement[]) =>
      serial(async () => {
        try {
          await client.batch(statements as InStatement[], 'write')
        } catch (error) {
          throw isConflict(error) ? new ConcurrencyError() : error
        }
      }),
  }
}

/** `?, ?, ?`: one parameter per value, for `IN (…)` lists and `VALUES (…)` rows. */
export const parameters = (values: readonly unknown[] | number): string =>
  Array.from({ length: typeof values === 'number' ? values : values.length }, () => '?').join(', ')

// `occ_guard` is named only here: it exists to make a batch abort (see schema.ts).

/** Follow an UPDATE with this to abort the batch unless that UPDATE changed a row. */
export const expectChangedRow: Statement = { sql: 'INSERT INTO occ_guard (x) SELECT 1 WHERE changes() = 0', args: [] }

/** A statement that aborts the batch unless `condition` (an SQL expression) holds when it runs. */
export const abortUnless = (condition: Statement): Statement => ({
  sql: `INSERT INTO occ_guard (x) SELECT 1 WHERE NOT (${condition.sql})`,
  args: condition.args,
})

/** A promise-chain lock: each task starts after the previous one settled. */
export function mutex(): <T>(task: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve()
  return (task) => {
    const run = tail.then(task, task)
    tail = run.catch(() => undefined)
    return run
  }
}
