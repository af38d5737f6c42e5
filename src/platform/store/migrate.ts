import { drizzle } from 'drizzle-orm/libsql'
import { migrate } from 'drizzle-orm/libsql/migrator'
import type { AnyContext } from '../context.ts'
import type { Database } from './database.ts'

/** The toolkit's own migrations (event store, outbox, inbox, idempotency, delivery log). */
const toolkitMigrations = () => new URL('./migrations', import.meta.url)

const folder = (at: URL | string) => (typeof at === 'string' ? at : decodeURIComponent(at.pathname))

/**
 * Applies the toolkit's migrations, then each context's, each with its own journal table
 * (`__herald_migrations_<owner>`), so a service migrates only the contexts it runs. Needs a
 * filesystem (Bun, Deno, Node); the Worker's database is migrated by `npm run db:migrate`.
 */
export async function migrateDatabase(database: Database, contexts: readonly AnyContext[] = []): Promise<void> {
  // WAL lets readers run beside the single writer on an embedded file.
  if (database.client.protocol === 'file') await database.client.execute('PRAGMA journal_mode = WAL')
  const db = drizzle(database.client)
  const owners = [{ name: 'herald', migrations: toolkitMigrations }, ...contexts.filter((c) => c.migrations)]
  for (const { name, migrations } of owners) {
    await migrate(db, { migrationsFolder: folder(migrations!()), migrationsTable: `__herald_migrations_${name.replaceAll('-', '_')}` })
  }
}
