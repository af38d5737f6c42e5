import { defineConfig } from 'drizzle-kit'

// `db:generate` writes SQL migrations from drizzle/schema.ts. `db:migrate:remote` applies them
// to Turso (TURSO_DATABASE_URL / TURSO_AUTH_TOKEN); Bun and Deno apply them at start-up.
export default defineConfig({
  dialect: 'turso',
  schema: './drizzle/schema/index.ts',
  out: './drizzle/migrations',
  dbCredentials: {
    url: process.env.TURSO_DATABASE_URL ?? process.env.DATABASE_URL ?? 'file:./data/herald.db',
    ...(process.env.TURSO_AUTH_TOKEN ? { authToken: process.env.TURSO_AUTH_TOKEN } : {}),
  },
})
