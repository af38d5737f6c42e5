import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { freePort, startService } from './support.ts'

/*
 * A port another program holds: `npm run dev` and `npm run broker` say in one line which
 * variable to change and exit non-zero, instead of a stack trace.
 */

const ROOT = resolve(import.meta.dir, '../..')

let dir: string
let holder: Server
let busyPort: number

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'herald-busy-port-'))
  holder = createServer()
  await new Promise<void>((listening) => holder.listen(0, '0.0.0.0', listening))
  busyPort = (holder.address() as { port: number }).port
})

afterAll(() => {
  holder?.close()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

/** Runs an npm script to its end with the given variables; its exit code and everything it printed. */
async function runScript(script: string, variables: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const env: Record<string, string> = {}
  for (const [name, value] of Object.entries(process.env)) if (value !== undefined && !name.startsWith('QSTASH_')) env[name] = value
  const child = startService('npm', ['run', '--silent', script], { cwd: ROOT, env: { ...env, ...variables } })
  const code = await child.exited
  return { code, output: child.output() }
}

const noStackTrace = (output: string) => expect(output).not.toMatch(/^\s+at /m)

describe('a port that is already taken', () => {
  it('npm run dev names PORT and exits 1', async () => {
    const { code, output } = await runScript('dev', {
      PORT: String(busyPort),
      QSTASH_DEV_PORT: String(await freePort()),
      DATABASE_URL: `file:${join(dir, 'port.db')}`,
    })
    expect(code).toBe(1)
    expect(output).toContain(`[herald] port ${busyPort} is already in use: set PORT to a free port`)
    noStackTrace(output)
  }, 30_000)

  it("npm run dev names QSTASH_DEV_PORT when the local broker's port is taken", async () => {
    const { code, output } = await runScript('dev', {
      PORT: String(await freePort()),
      QSTASH_DEV_PORT: String(busyPort),
      DATABASE_URL: `file:${join(dir, 'broker-port.db')}`,
    })
    expect(code).toBe(1)
    expect(output).toContain(`[herald] port ${busyPort} is already in use: set QSTASH_DEV_PORT to a free port`)
    noStackTrace(output)
  }, 30_000)

  it('npm run broker names QSTASH_DEV_PORT', async () => {
    const { code, output } = await runScript('broker', { QSTASH_DEV_PORT: String(busyPort), QSTASH_DEV_DB: `file:${join(dir, 'broker.db')}` })
    expect(code).toBe(1)
    expect(output).toContain(`[qstash-dev] port ${busyPort} is already in use: set QSTASH_DEV_PORT to a free port`)
    noStackTrace(output)
  }, 30_000)
})
