/**
 * Entry of a server-under-test process: `bun run bench/servers/main.ts '<ServerSpec JSON>'`.
 * Prints `BENCH_READY {"url":…}` once listening on 127.0.0.1 (port 0); exits on SIGTERM or when
 * the parent closes stdin. `/__bench/*` paths are bench-only control routes, never the app's.
 */
import type { ServerSpec } from '../harness/process.ts'
import { bareIngestServer, bareOrdersServer } from './bare.ts'
import { heraldFlowServer } from './flow.ts'
import { heraldServer } from './herald.ts'
import { bareAuthOrdersServer, heraldProductionServer, otlpReceiverServer } from './production.ts'
import type { ServerUnderTest } from './server.ts'
import { bareStackServer, heraldStackServer } from './stack.ts'

const spec = JSON.parse(process.argv[2] ?? '{}') as ServerSpec

let app: ServerUnderTest | undefined
const server = Bun.serve({
  port: 0,
  hostname: '127.0.0.1',
  // The default 10 s idle timeout would drop autocannon's idle keep-alive connections between phases.
  idleTimeout: 0,
  async fetch(request) {
    if (!app) return new Response('starting', { status: 503 })
    const path = new URL(request.url).pathname
    if (path.startsWith('/__bench/')) {
      const answer = await app.control?.(path.slice('/__bench/'.length))
      return answer === undefined ? new Response('no such control route', { status: 404 }) : Response.json(answer)
    }
    return app.fetch(request)
  },
})
const publicUrl = `http://127.0.0.1:${server.port}`

app = await build(spec, publicUrl)
process.stdout.write(`BENCH_READY ${JSON.stringify({ url: publicUrl })}\n`)

let stopping = false
async function shutdown(): Promise<void> {
  if (stopping) return
  stopping = true
  server.stop(true)
  await app?.close()
  process.exit(0)
}
process.on('SIGTERM', () => void shutdown())
process.on('SIGINT', () => void shutdown())
void (async () => {
  // Nothing is ever sent on stdin; EOF means the parent went away.
  const reader = Bun.stdin.stream().getReader()
  while (!(await reader.read()).done);
  await shutdown()
})()

async function build(spec: ServerSpec, publicUrl: string): Promise<ServerUnderTest> {
  switch (spec.kind) {
    case 'herald':
      return heraldServer(spec, publicUrl)
    case 'bare-orders':
      return bareOrdersServer(spec)
    case 'bare-ingest':
      return bareIngestServer(spec)
    case 'herald-stack':
      return heraldStackServer(spec, publicUrl)
    case 'bare-stack':
      return bareStackServer(spec, publicUrl)
    case 'herald-flow':
      return heraldFlowServer(spec, publicUrl)
    case 'herald-production':
      return heraldProductionServer(spec, publicUrl)
    case 'bare-auth-orders':
      return bareAuthOrdersServer(spec)
    case 'otlp-receiver':
      return otlpReceiverServer()
  }
}
