import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Database, openDatabase } from '../../src/platform/store/database.ts'
import type { AnyContext } from '../../src/platform/context.ts'
import { migrateDatabase } from '../../src/platform/store/migrate.ts'
import { referenceContexts } from '../../src/service/contexts.ts'

const REFERENCE: readonly AnyContext[] = Object.values(referenceContexts({ gracePeriodMs: 0 }))

/** A fresh libSQL file in its own temp directory, migrated for `contexts` (default: the reference service's). */
export async function tempDatabase(contexts: readonly AnyContext[] = REFERENCE): Promise<Database & { path: string; dispose(): void }> {
  const dir = mkdtempSync(join(tmpdir(), 'herald-test-'))
  const path = join(dir, 'herald.db')
  const database = openDatabase({ url: `file:${path}` })
  await migrateDatabase(database, contexts)
  return {
    ...database,
    path,
    dispose() {
      database.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/**
 * Row counts of every table, to prove a refused request changed nothing. `delivery_log` is
 * left out: it is telemetry (one row per delivery answered, duplicates included), not state.
 */
export async function tableCounts(database: Database): Promise<Record<string, number>> {
  const { rows } = await database.client.execute(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '__herald_migrations%' AND name != 'delivery_log' ORDER BY name",
  )
  const counts: Record<string, number> = {}
  for (const row of rows) {
    const name = String(row.name)
    const result = await database.client.execute(`SELECT COUNT(*) AS n FROM "${name}"`)
    counts[name] = Number(result.rows[0]?.n)
  }
  return counts
}
