import { migrate } from 'drizzle-orm/libsql/migrator'
import type { Database } from './database.ts'

/** Applies drizzle/migrations (needs a filesystem: Bun and Deno; Turso uses drizzle-kit). */
export async function migrateDatabase(database: Database): Promise<void> {
  const migrationsFolder = new URL('../../../drizzle/migrations', import.meta.url).pathname
  // WAL lets readers run beside the single writer on an embedded file.
  if (database.client.protocol === 'file') await database.client.execute('PRAGMA journal_mode = WAL')
  await migrate(database.db, { migrationsFolder })
}
