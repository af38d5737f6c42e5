import { type ChildProcess, spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { freePort } from '../support/ports.ts'

export { freePort }

/**
 * Private credentials for the local broker standing in for QStash: production (every Worker, and
 * a service with NODE_ENV=production) refuses the public dev ones. Start the broker with them
 * (`startBroker({ ...PRIVATE_QSTASH })`) and hand them to the service as its QSTASH_* values.
 */
export const PRIVATE_QSTASH = {
  token: `test-broker-token-${crypto.randomUUID()}`,
  currentSigningKey: `sig_test_current_${crypto.randomUUID().replaceAll('-', '')}`,
  nextSigningKey: `sig_test_next_${crypto.randomUUID().replaceAll('-', '')}`,
} as const

/** An admin token production accepts (32 characters or more). */
export const PRODUCTION_ADMIN_TOKEN = `test-admin-token-${crypto.randomUUID()}`

export interface Service {
  readonly pid: number
  /** Everything the process wrote so far (stdout and stderr interleaved). */
  output(): string
  /** Resolves with the exit code once the process has exited. */
  readonly exited: Promise<number | null>
  /** SIGTERM to the whole process group, SIGKILL after `graceMs`; resolves once it exited. */
  stop(graceMs?: number): Promise<void>
}

/**
 * Starts a real process in its own process group (so `stop` also ends whatever it spawned, e.g.
 * wrangler's workerd) and records its output for failure messages.
 */
export function startService(command: string, args: readonly string[], options: { cwd: string; env: Record<string, string | undefined> }): Service {
  const child: ChildProcess = spawn(command, args, {
    cwd: options.cwd,
    env: options.env as NodeJS.ProcessEnv,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let log = ''
  child.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString()))
  child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()))
  const exited = new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode)
    child.once('exit', (code) => resolve(code))
    child.once('error', (error) => {
      log += `\n[spawn error] ${error.message}`
      resolve(null)
    })
  })
  const pid = child.pid ?? -1
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-pid, name) // the process group: the child and everything it started
    } catch {
      // already gone
    }
  }
  // Last resort if the test runner exits without reaching `stop` (a hook timed out, an uncaught error).
  const onExit = () => signal('SIGKILL')
  process.once('exit', onExit)
  void exited.then(() => process.off('exit', onExit))
  let stopping: Promise<void> | undefined
  return {
    pid,
    output: () => log,
    exited,
    stop(graceMs = 3000) {
      stopping ??= (async () => {
        if (pid <= 0) return
        signal('SIGTERM')
        const timer = setTimeout(() => signal('SIGKILL'), graceMs)
        await exited
        clearTimeout(timer)
        signal('SIGKILL') // stragglers left in the group after the leader exited
      })()
      return stopping
    },
  }
}

/** Polls `url` until it answers 2xx; fails early with the process output if the process exits. */
export async function waitUntilServing(url: string, service: Service, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let exitCode: number | null | undefined
  void service.exited.then((code) => (exitCode = code))
  let last = ''
  while (Date.now() < deadline) {
    if (exitCode !== undefined) throw new Error(`process exited (code ${exitCode}) before serving ${url}:\n${service.output()}`)
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) })
      if (response.ok) return
      last = `${response.status} ${await response.text()}`
    } catch (error) {
      last = (error as Error).message
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms (last: ${last}):\n${service.output()}`)
}

/**
 * Environment for wrangler, offline-safe: never prompt (CI), no metrics, no npm update check (the
 * banner does it), no download of the `Request.cf` placeholder from workers.cloudflare.com.
 */
export function wranglerEnv(extra: Record<string, string> = {}): Record<string, string | undefined> {
  return {
    ...process.env,
    CI: 'true',
    WRANGLER_SEND_METRICS: 'false',
    WRANGLER_HIDE_BANNER: 'true',
    CLOUDFLARE_CF_FETCH_ENABLED: 'false',
    NO_COLOR: '1',
    FORCE_COLOR: '0',
    BROWSER: 'none',
    ...extra,
  }
}

/**
 * Runs a command to completion without blocking the event loop (servers in this test process, like
 * the libSQL fixture, must keep answering it). Throws with its output if it fails or times out.
 */
export async function run(
  command: string,
  args: readonly string[],
  options: { cwd: string; env: Record<string, string | undefined>; timeoutMs?: number },
): Promise<string> {
  const service = startService(command, args, options)
  const timer = setTimeout(() => void service.stop(), options.timeoutMs ?? 60_000)
  const code = await service.exited
  clearTimeout(timer)
  if (code !== 0) throw new Error(`${[command, ...args].join(' ')} failed (exit ${code}):\n${service.output()}`)
  return service.output()
}

/**
 * `wrangler deploy --dry-run --outdir <outdir>`: bundles the Worker exactly as a deploy would and
 * stops before uploading (no account, no network). Throws with wrangler's output if it fails.
 */
export async function buildWorker(root: string, outdir: string): Promise<{ output: string; bundlePath: string }> {
  const output = await run(join(root, 'node_modules/.bin/wrangler'), ['deploy', '--dry-run', '--outdir', outdir], { cwd: root, env: wranglerEnv() })
  return { output, bundlePath: join(outdir, 'worker.js') }
}

/**
 * The Worker's bindings as `wrangler dev --env-file` reads them: what `wrangler secret put` and
 * [vars] provide in production, here the Turso stand-in, the local broker and this run's URL.
 */
export function writeWorkerEnv(
  path: string,
  bindings: { databaseUrl: string; databaseToken: string; brokerUrl: string; publicUrl: string; adminToken: string; jwksUrl: string },
): string {
  const lines = {
    DATABASE_URL: bindings.databaseUrl,
    DATABASE_AUTH_TOKEN: bindings.databaseToken,
    QSTASH_URL: bindings.brokerUrl,
    QSTASH_TOKEN: PRIVATE_QSTASH.token,
    QSTASH_CURRENT_SIGNING_KEY: PRIVATE_QSTASH.currentSigningKey,
    QSTASH_NEXT_SIGNING_KEY: PRIVATE_QSTASH.nextSigningKey,
    PUBLIC_URL: bindings.publicUrl,
    ADMIN_TOKEN: bindings.adminToken,
    GRACE_PERIOD_MS: '0',
    AUTH_JWKS_URL: bindings.jwksUrl,
    AUTH_ISSUER: TEST_ISSUER,
    AUTH_AUDIENCE: TEST_AUDIENCE,
  }
  writeFileSync(
    path,
    Object.entries(lines)
      .map(([key, value]) => `${key}=${value}`)
      .join('\n'),
  )
  return path
}

export const TEST_ISSUER = 'https://id.herald.test/'
export const TEST_AUDIENCE = 'herald'

/**
 * A JWKS served over HTTP by the test (no identity provider can run here) and real `jose` tokens
 * signed with its key: what a production Herald verifies.
 */
export async function startJwks() {
  const { exportJWK, generateKeyPair, SignJWT } = await import('jose')
  const { publicKey, privateKey } = await generateKeyPair('ES256')
  const jwk = { ...(await exportJWK(publicKey)), kid: 'test-1', alg: 'ES256', use: 'sig' }
  const server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => Response.json({ keys: [jwk] }) })
  return {
    url: `http://127.0.0.1:${server.port}/.well-known/jwks.json`,
    token: (subject: string, scope?: string) =>
      new SignJWT(scope ? { scope } : {})
        .setProtectedHeader({ alg: 'ES256', kid: 'test-1' })
        .setSubject(subject)
        .setIssuer(TEST_ISSUER)
        .setAudience(TEST_AUDIENCE)
        .setExpirationTime('30m')
        .sign(privateKey),
    stop: () => server.stop(true),
  }
}

/**
 * `wrangler dev` on a dry-run bundle (`--no-bundle`, so no watcher rebuilds it), local workerd,
 * the bindings from `envFile`, its own state directory, offline-safe.
 */
export async function startWranglerDev(
  root: string,
  options: { bundle: string; config: string; env?: string; port: number; envFile: string; persistTo: string; logLevel?: 'log' | 'warn' },
): Promise<Service> {
  const args = ['dev', options.bundle, '--no-bundle', '--config', options.config, ...(options.env ? ['--env', options.env] : [])]
  args.push('--local', '--ip', '127.0.0.1', '--port', String(options.port), '--inspector-port', String(await freePort()))
  args.push('--env-file', options.envFile, '--persist-to', options.persistTo, '--show-interactive-dev-session=false', '--log-level', options.logLevel ?? 'log')
  return startService(join(root, 'node_modules/.bin/wrangler'), args, { cwd: root, env: wranglerEnv() })
}
