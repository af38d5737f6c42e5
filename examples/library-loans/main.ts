import { exitOnPortInUse, productionRefusals, serveHere, startService } from 'herald/runtime'
import { libraryContexts, librarySettings } from './app.ts'

// npm run example:library-loans (Bun runs the sources; compiled with tsc, `node main.js` runs it
// too) — PORT (default 3000), DATABASE_URL (default file:./data/library.db), LOAN_PERIOD_MS; the
// local QStash-compatible broker starts beside it unless QSTASH_TOKEN is set.
const refusals = productionRefusals(process.env)
if (refusals.length > 0) {
  for (const refusal of refusals) console.error(`[library] ${refusal}`)
  process.exit(1)
}

const runtime = 'Bun' in globalThis ? 'Bun' : 'Node'
const service = await startService(
  { DATABASE_URL: 'file:./data/library.db', QSTASH_DEV_DB: 'file:./data/library-qstash.db', ...process.env },
  serveHere(),
  runtime,
  (env) => libraryContexts(librarySettings(env)),
).catch(exitOnPortInUse((code) => process.exit(code)))

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, async () => {
    await service.stop()
    process.exit(0)
  })
}
