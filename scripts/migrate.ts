import { loadConfig } from '../src/platform/config.ts'
import { openDatabase } from '../src/platform/store/database.ts'
import { migrateDatabase } from '../src/platform/store/migrate.ts'
import { selectContexts } from '../src/service/contexts.ts'

// npm run db:migrate: applies the toolkit's and the contexts' migrations to DATABASE_URL
// (Turso: libsql://… with DATABASE_AUTH_TOKEN). The Worker has no filesystem, so its database is
// migrated from here before a deploy; Bun and Deno migrate at start-up.
const config = loadConfig(process.env)
const database = openDatabase({ url: config.databaseUrl, ...(config.databaseAuthToken ? { authToken: config.databaseAuthToken } : {}) })
const contexts = selectContexts(process.env)
await migrateDatabase(database, contexts)
console.log(`[herald] migrated herald, ${contexts.map((c) => c.name).join(', ')} on ${new URL(config.databaseUrl).host || config.databaseUrl}`)
database.close()
