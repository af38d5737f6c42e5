import { exitOnPortInUse, productionRefusals, startService } from '../platform/runtime/service.ts'
import { selectContexts } from './contexts.ts'

/** Bun entry: `bun run dev`. */
const refusals = productionRefusals(process.env)
if (refusals.length > 0) {
  for (const refusal of refusals) console.error(`[herald] ${refusal}`)
  process.exit(1)
}

const service = await startService(
  process.env,
  async ({ port, hostname, fetch }) => {
    const server = Bun.serve({ port, hostname, fetch })
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
