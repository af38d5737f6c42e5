import { serve } from '../../dev/serve.ts'
import type { Serve } from './service.ts'

/**
 * The HTTP server of whichever runtime runs us — `Bun.serve`, `Deno.serve`, or `node:http` on
 * Node — as the `serve` that {@link startService} takes, so one entry file runs everywhere. It
 * listens where the service's `HOST` setting says, unless `hostname` is given.
 *
 * @example
 * await startService(process.env, serveHere(), 'Node', () => [loans({ loanPeriodMs })])
 */
export function serveHere(hostname?: string): Serve {
  return (options) => serve({ port: options.port, hostname: hostname ?? options.hostname, fetch: (request) => options.fetch(request) })
}
