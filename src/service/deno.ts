import { exitOnPortInUse, productionRefusals, startService } from '../platform/runtime/service.ts'
import { selectContexts } from './contexts.ts'

/**
 * Deno entry: `deno run -A src/service/deno.ts` (`npm run dev:deno`). The same service as the Bun
 * entry on `Deno.serve`; `@libsql/client` resolves to its Node build under Deno's npm compatibility.
 */

/** The little of the Deno namespace this entry uses (the project is type-checked with Bun's types). */
declare const Deno: {
  readonly env: { toObject(): Record<string, string> }
  serve(
    options: { port: number; hostname?: string; onListen?: (addr: { port: number; hostname: string }) => void },
    handler: (request: Request) => Response | Promise<Response>,
  ): { readonly finished: Promise<void>; shutdown(): Promise<void> }
  addSignalListener(signal: 'SIGINT' | 'SIGTERM', handler: () => void): void
  exit(code?: number): never
}

const env = Deno.env.toObject()
const refusals = productionRefusals(env)
if (refusals.length > 0) {
  for (const refusal of refusals) console.error(`[herald] ${refusal}`)
  Deno.exit(1)
}

const service = await startService(
  env,
  async ({ port, hostname, fetch }) => {
    const listening = Promise.withResolvers<number>()
    const server = Deno.serve({ port, hostname, onListen: (address) => listening.resolve(address.port) }, fetch)
    return { port: await listening.promise, stop: () => server.shutdown() }
  },
  'Deno',
  selectContexts,
).catch(exitOnPortInUse((code) => Deno.exit(code)))

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  Deno.addSignalListener(signal, async () => {
    await service.stop()
    Deno.exit(0)
  })
}
