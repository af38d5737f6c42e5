import { serve } from '../../dev/serve.ts'
import type { Serve } from './service.ts'

/**
 * The HTTP server of whichever runtime runs us — `Bun.serve`, `Deno.serve`, or `node:http` on
 * Node — as the `serve` that {@link startService} takes, so one entry file runs everywhere.
 *
 * @example
 * await startService(process.env, serveHere(), 'Node', () => [loans({ loanPeriodMs })])
 */
export function serveHere(hostname = '0.0.0.0'): Serve {
  return ({ port, fetch }) => serve({ port, hostname, fetch: (request) => fetch(request) })
}
