import { defineConfig } from 'drizzle-kit'

/**
 * One schema, one migrations folder per owner: the toolkit (`herald`) and each context. Pick one
 * with DRIZZLE_SCOPE (`DRIZZLE_SCOPE=catalog npm run db:generate`); the services apply them all at
 * start-up, each with its own journal table (`npm run db:migrate` does the same for Turso).
 */
const schemas: Record<string, string> = {
  herald: './src/platform/store/tables.ts',
  ordering: './src/ordering/infrastructure/schema.ts',
  catalog: './src/catalog/infrastructure/schema.ts',
  payment: './src/payment/schema.ts',
  notifications: './src/notifications/schema.ts',
}
const scope = process.env.DRIZZLE_SCOPE ?? 'herald'
const schema = schemas[scope]
if (!schema) throw new Error(`DRIZZLE_SCOPE must be one of ${Object.keys(schemas).join(', ')}`)

// The toolkit's migrations ship inside the package, beside the code that applies them.
const out = scope === 'herald' ? './src/platform/store/migrations' : `./drizzle/${scope}`

export default defineConfig({ dialect: 'turso', schema, out })
