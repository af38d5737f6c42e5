import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { createHerald } from './app.ts'
import { loadConfig } from './config.ts'
import { openDatabase } from './store/database.ts'
import { migrateDatabase } from './store/migrate.ts'

/** Bun entry: `bun run dev`. Embedded libSQL file by default, migrations applied on start. */
const config = loadConfig(process.env)
if (config.databaseUrl.startsWith('file:')) mkdirSync(dirname(config.databaseUrl.slice('file:'.length)), { recursive: true })
const database = openDatabase({ url: config.databaseUrl, ...(config.databaseAuthToken ? { authToken: config.databaseAuthToken } : {}) })
await migrateDatabase(database)

const herald = createHerald({ database, config })
const server = Bun.serve({ port: config.port, hostname: '0.0.0.0', fetch: herald.app.fetch })
console.log(`[herald] listening on ${config.publicUrl} (port ${server.port}), database ${config.databaseUrl}`)

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    server.stop()
    database.close()
    process.exit(0)
  })
}
