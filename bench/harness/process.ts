import { fileURLToPath } from 'node:url'

/**
 * The servers under test run in their own Bun process, so autocannon (in this process) never
 * shares an event loop with them: on a 2-core machine the server gets a core and the load
 * generator the other.
 */
export type ServerSpec =
  /** createHerald on `dbPath`; no publisher (no relay). `signed` adds the QStash Receiver for /subscribers. */
  | { readonly kind: 'herald'; readonly dbPath: string; readonly signed?: boolean; readonly experiments?: readonly string[] }
  /** Plain Hono + drizzle: POST /orders inserts the order and buyer rows in one batch, no events. */
  | { readonly kind: 'bare-orders'; readonly dbPath: string }
  /** Plain Hono + drizzle: POST /subscribers/:context parses JSON and inserts one row. */
  | { readonly kind: 'bare-ingest'; readonly dbPath: string }
  /** Herald + the local broker in one process, immediate relay, commit/handled marks at /__bench/marks. */
  | { readonly kind: 'herald-stack'; readonly dbPath: string; readonly brokerDbPath: string; readonly experiments?: readonly string[] }
  /** Bare route that commits then publishes straight to the local broker; bare signed subscriber. */
  | { readonly kind: 'bare-stack'; readonly dbPath: string; readonly brokerDbPath: string }
  /** The reference service with grace period 0 and endless stock, relaying to a broker at `brokerUrl` (its own process); paid marks at /__bench/marks. */
  | { readonly kind: 'herald-flow'; readonly dbPath: string; readonly brokerUrl: string; readonly experiments?: readonly string[] }
  /** The reference service as production runs it: JWT auth against `jwksUrl`, the OTel SDK exporting to `otlpUrl`, JSON request logs; no messaging. */
  | {
      readonly kind: 'herald-production'
      readonly dbPath: string
      readonly jwksUrl: string
      readonly otlpUrl: string
      readonly experiments?: readonly string[]
    }
  /** Figure 1's bare route behind jose's jwtVerify against `jwksUrl`. */
  | { readonly kind: 'bare-auth-orders'; readonly dbPath: string; readonly jwksUrl: string }
  /** A stand-in OTLP/HTTP receiver that counts what it is sent (`/__bench/counts`). */
  | { readonly kind: 'otlp-receiver' }

export interface RunningServer {
  readonly url: string
  readonly pid: number
  /** JSON from the server's bench-only control routes (`/__bench/...`). */
  control<T>(path: string): Promise<T>
  stop(): Promise<void>
}

const entry = fileURLToPath(new URL('../servers/main.ts', import.meta.url))
const preload = fileURLToPath(new URL('../experiments/preload.ts', import.meta.url))
const READY = 'BENCH_READY '

export interface SpawnOptions {
  /** Run the server under `bun --cpu-prof-md`, writing the profile into this directory on stop. */
  readonly cpuProfileDir?: string
}

export async function spawnServer(spec: ServerSpec, options: SpawnOptions = {}): Promise<RunningServer> {
  const profile = options.cpuProfileDir ? ['--cpu-prof', '--cpu-prof-md', `--cpu-prof-dir=${options.cpuProfileDir}`] : []
  const experiments = 'experiments' in spec ? (spec.experiments ?? []) : []
  const proc = Bun.spawn([process.execPath, ...profile, '--preload', preload, entry, JSON.stringify(spec)], {
    stdin: 'pipe',
    stdout: 'pipe',
    stderr: 'inherit',
    env: { ...process.env, NODE_ENV: 'benchmark', BENCH_EXPERIMENTS: experiments.join(',') },
  })
  const reader = proc.stdout.getReader()
  const decoder = new TextDecoder()
  let buffered = ''
  let url: string | undefined
  const deadline = Date.now() + 30_000
  while (url === undefined) {
    if (Date.now() > deadline) throw new Error(`${spec.kind} server did not start within 30 s`)
    const { value, done } = await reader.read()
    if (done) throw new Error(`${spec.kind} server exited before it was ready (code ${await proc.exited})`)
    buffered += decoder.decode(value, { stream: true })
    for (const line of buffered.split('\n')) if (line.startsWith(READY)) url = (JSON.parse(line.slice(READY.length)) as { url: string }).url
  }
  // Keep draining stdout so a chatty server can never block on a full pipe.
  void (async () => {
    for (;;) if ((await reader.read()).done) return
  })().catch(() => undefined)

  return {
    url,
    pid: proc.pid,
    async control<T>(path: string): Promise<T> {
      const response = await fetch(`${url}/__bench/${path}`)
      if (!response.ok) throw new Error(`control ${path} → ${response.status}: ${await response.text()}`)
      return (await response.json()) as T
    },
    async stop() {
      if (proc.exitCode !== null) return
      proc.kill('SIGTERM')
      const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000)
      await proc.exited
      clearTimeout(timer)
    },
  }
}
