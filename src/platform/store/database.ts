import { type Client, type Config, createClient, type InStatement, LibsqlError } from '@libsql/client'
import { drizzle, type LibSQLDatabase } from 'drizzle-orm/libsql'
import { ConcurrencyError, type Committer, type Statement } from '../../kernel/index.ts'
import * as schema from '../../../drizzle/schema.ts'

export type Db = LibSQLDatabase<typeof schema>

export interface Database {
  readonly client: Client
  readonly db: Db
  readonly committer: Committer
  close(): void
}

/**
 * Opens libSQL (embedded `file:` or remote) with drizzle on top and a committer that writes each
 * command's changeset in ONE atomic batch.
 */
export function openDatabase(config: Config): Database {
  const client = createClient({ timeout: 5000, ...config })
  return fromClient(client)
}

export function fromClient(client: Client): Database {
  const db = drizzle(client, { schema })
  return { client, db, committer: batchCommitter(client), close: () => client.close() }
}

/**
 * Commits statements as one `batch` (one round-trip to Turso; a transaction on a file).
 * Writes are serialised in-process: two write transactions at once on one embedded client
 * deadlock it (ARCHITECTURE §8). A unique-key violation means a concurrent command won the
 * race (stale aggregate version, same idempotency key, same inbox entry), so it becomes a
 * {@link ConcurrencyError} the command runner retries.
 */
export function batchCommitter(client: Client): Committer {
  const serial = mutex()
  return {
    commit: (statements: readonly Statement[]) =>
      serial(async () => {
        try {
          await client.batch(statements as InStatement[], 'write')
        } catch (error) {
          throw isUniqueViolation(error) ? new ConcurrencyError() : error
        }
      }),
  }
}

export function isUniqueViolation(error: unknown): boolean {
  if (!(error instanceof LibsqlError) && !(error instanceof Error)) return false
  const code = (error as { code?: string; extendedCode?: string }).extendedCode ?? (error as { code?: string }).code ?? ''
  return /SQLITE_CONSTRAINT(_UNIQUE|_PRIMARYKEY)?$/.test(code) && /UNIQUE|PRIMARY KEY/i.test(error.message)
}

/** A promise-chain lock: each task starts after the previous one settled. */
export function mutex(): <T>(task: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve()
  return (task) => {
    const run = tail.then(task, task)
    tail = run.catch(() => undefined)
    return run
  }
}
