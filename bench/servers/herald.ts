import { createReferenceHerald as createHerald } from '../../src/service/app.ts'
import { openDatabase } from '../../src/platform/store/database.ts'
import { migrateReferenceDatabase as migrateDatabase } from '../../src/service/app.ts'
import { applyExperiments, verifierFor } from '../experiments/index.ts'
import type { ServerSpec } from '../harness/process.ts'
import type { ServerUnderTest } from './server.ts'

/**
 * The full Herald pipeline (createHerald on a libSQL file, migrations applied) with NO publisher:
 * commands write their outbox rows but nothing relays them, so the figure is the command path
 * alone. `signed` wires the dev-key QStash Receiver so /subscribers/{context} accepts deliveries.
 */
export async function heraldServer(spec: Extract<ServerSpec, { kind: 'herald' }>, publicUrl: string): Promise<ServerUnderTest> {
  const opened = openDatabase({ url: `file:${spec.dbPath}` })
  await migrateDatabase(opened)
  const database = applyExperiments(opened, spec.experiments ?? [], spec.dbPath)
  const herald = createHerald({
    database,
    // Nothing relays here, so the outbox bound (OUTBOX_MAX_PENDING) would refuse every command after
    // the first 10,000: off. Figure 7 runs with it on at its default, where the relay drains.
    config: { publicUrl, adminToken: 'bench-admin-token', outboxMaxPending: 0 },
    ...(spec.signed ? { messaging: { verifier: verifierFor(spec.experiments ?? []) } } : {}),
  })
  return {
    fetch: herald.app.fetch,
    close: () => database.close(),
  }
}
