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
 * Serves on Bun, Deno or Node, whichever runs us, so the dev broker also starts beside the Deno
 * entry and in a Node project (through the built `herald/dev`).
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
  if (typeof Bun === 'undefined') return serveOnNode(options)
  const server = Bun.serve({
    port: options.port,
    hostname: options.hostname,
    fetch: (request, bun) => options.fetch(request, { ip: bun.requestIP(request)?.address }),
  })
  return { port: server.port as number, stop: () => server.stop(true) }
}

/** Node (20+): `node:http` with the fetch-standard Request/Response it ships. */
async function serveOnNode(options: { port: number; hostname: string; fetch: Fetch }): Promise<Served> {
  const http = await import('node:http')
  const server = http.createServer(async (incoming, outgoing) => {
    try {
      const chunks: Uint8Array[] = []
      for await (const chunk of incoming) chunks.push(chunk as Uint8Array)
      const headers = new Headers()
      for (const [name, value] of Object.entries(incoming.headers)) {
        if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value)
      }
      const method = incoming.method ?? 'GET'
      const body = method === 'GET' || method === 'HEAD' ? undefined : Buffer.concat(chunks)
      const request = new Request(`http://${incoming.headers.host ?? `${options.hostname}:${options.port}`}${incoming.url ?? '/'}`, { method, headers, body })
      const response = await options.fetch(request, { ip: incoming.socket.remoteAddress })
      outgoing.writeHead(response.status, Object.fromEntries(response.headers))
      outgoing.end(Buffer.from(await response.arrayBuffer()))
    } catch (error) {
      outgoing.writeHead(500, { 'Content-Type': 'text/plain' }).end(String((error as Error).message))
    }
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject) // EADDRINUSE and the like, as Bun.serve and Deno.serve throw them
    server.listen(options.port, options.hostname, resolve)
  })
  const address = server.address()
  return {
    port: typeof address === 'object' && address ? address.port : options.port,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
