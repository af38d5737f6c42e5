import { exitOnPortInUse, missingForProduction, startService } from '../platform/runtime/service.ts'
import { selectContexts } from './contexts.ts'

/** Bun entry: `bun run dev`. */
const missing = missingForProduction(process.env)
if (missing.length > 0) {
  console.error(`[herald] refusing to start in production without ${missing.join(', ')}`)
  process.exit(1)
}

const service = await startService(
  process.env,
  async ({ port, fetch }) => {
    const server = Bun.serve({ port, hostname: '0.0.0.0', fetch })
    return { port: server.port as number, stop: () => server.stop() }
  },
  'Bun',
  selectContexts,
).catch(exitOnPortInUse((code) => process.exit(code)))

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, async () => {
    await service.stop()
    process.exit(0)
  })
}
