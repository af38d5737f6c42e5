import { exitOnPortInUse, missingForProduction, startService } from 'herald/runtime'
import { libraryContexts, librarySettings } from './app.ts'

// npm run example:library-loans — PORT (default 3000), DATABASE_URL (default
// file:./data/herald.db), LOAN_PERIOD_MS; the local QStash-compatible broker starts beside it
// unless QSTASH_TOKEN is set.
const missing = missingForProduction(process.env)
if (missing.length > 0) {
  console.error(`[library] refusing to start in production without ${missing.join(', ')}`)
  process.exit(1)
}

const service = await startService(
  { DATABASE_URL: 'file:./data/library.db', QSTASH_DEV_DB: 'file:./data/library-qstash.db', ...process.env },
  async ({ port, fetch }) => {
    const server = Bun.serve({ port, hostname: '0.0.0.0', fetch })
    return { port: server.port as number, stop: async () => server.stop() }
  },
  'Bun',
  (env) => libraryContexts(librarySettings(env)),
).catch(exitOnPortInUse((code) => process.exit(code)))

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, async () => {
    await service.stop()
    process.exit(0)
  })
}
