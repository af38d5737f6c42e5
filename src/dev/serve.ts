/** The connection facts a handler may read (passed as Hono's `env`). */
export interface ConnectionEnv {
  readonly ip?: string
}

export interface Served {
  readonly port: number
  stop(): Promise<void>
}

type Fetch = (request: Request, env: ConnectionEnv) => Response | Promise<Response>

/**
 * Serves on Bun or Deno, whichever runs us, so the dev broker also starts beside the Deno entry.
 * (Deno.serve: https://docs.deno.com/api/deno/~/Deno.serve)
 */
export async function serve(options: { port: number; hostname: string; fetch: Fetch }): Promise<Served> {
  const deno = (globalThis as { Deno?: { serve: (...args: unknown[]) => unknown } }).Deno
  if (typeof Bun === 'undefined' && deno) {
    const listening = Promise.withResolvers<number>()
    const server = deno.serve(
      { port: options.port, hostname: options.hostname, onListen: ({ port }: { port: number }) => listening.resolve(port) },
      (request: Request, info: { remoteAddr: { hostname: string } }) => options.fetch(request, { ip: info.remoteAddr.hostname }),
    ) as { shutdown(): Promise<void> }
    return { port: await listening.promise, stop: () => server.shutdown() }
  }
  const server = Bun.serve({
    port: options.port,
    hostname: options.hostname,
    fetch: (request, bun) => options.fetch(request, { ip: bun.requestIP(request)?.address }),
  })
  return { port: server.port as number, stop: () => server.stop(true) }
}
