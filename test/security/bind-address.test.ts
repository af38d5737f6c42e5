import { afterEach, describe, expect, it } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { orderBody } from '../support/herald.ts'
import { waitFor } from '../support/wait-for.ts'
import { freePort, type Service, startService, waitUntilServing } from '../runtime/support.ts'
import { type ProductionService, startProductionService } from './production-service.ts'

/*
 * Where the Bun entry listens. On Linux every 127.x.y.z is this machine, but a socket bound to
 * 127.0.0.1 answers only there, while one bound to 0.0.0.0 answers on every address: 127.0.0.2
 * stands in for "another interface" without needing a second network card.
 */

const ROOT = join(import.meta.dir, '../..')
const cleanups: (() => unknown)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

const answers = (url: string) =>
  fetch(url, { signal: AbortSignal.timeout(5000) }).then(
    (response) => response.ok,
    () => false,
  )

async function startDevelopmentService(env: Record<string, string> = {}): Promise<{ service: Service; port: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'herald-bind-'))
  const port = await freePort()
  const service = startService(process.execPath, ['run', 'src/service/bun.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PORT: String(port),
      DATABASE_URL: `file:${join(dir, 'h.db')}`,
      QSTASH_DEV_PORT: String(await freePort()),
      ...env,
    },
  })
  cleanups.push(
    () => rmSync(dir, { recursive: true, force: true }),
    () => service.stop(10_000),
  )
  return { service, port }
}

describe('the bind address (HOST)', () => {
  it('is 127.0.0.1 in development by default: nothing but this machine reaches the open service', async () => {
    const { service, port } = await startDevelopmentService()
    await waitUntilServing(`http://127.0.0.1:${port}/health`, service, 30_000)
    expect(await answers(`http://127.0.0.2:${port}/health`)).toBe(false)
    expect(service.output()).toContain(`(127.0.0.1 port ${port})`)
  }, 60_000)

  it('is what HOST says in development, and the default PUBLIC_URL follows it (deliveries arrive)', async () => {
    const { service, port } = await startDevelopmentService({ HOST: '127.0.0.2', GRACE_PERIOD_MS: '0' })
    const base = `http://127.0.0.2:${port}`
    await waitUntilServing(`${base}/health`, service, 30_000)
    expect(await answers(`http://127.0.0.1:${port}/health`)).toBe(false)
    const created = await fetch(`${base}/orders`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(orderBody()) })
    const { orderId } = (await created.json()) as { orderId: string }
    await waitFor(async () => ((await (await fetch(`${base}/orders/${orderId}`)).json()) as { status: string }).status === 'paid', {
      timeoutMs: 30_000,
      what: 'the order to be paid through the local broker',
    })
  }, 60_000)

  it('is 0.0.0.0 in production by default, and what HOST says there', async () => {
    const everywhere: ProductionService = await startProductionService()
    cleanups.push(() => everywhere.stop())
    expect(await answers(`${everywhere.baseUrl.replace('127.0.0.1', '127.0.0.2')}/health`)).toBe(true)
    expect(everywhere.output()).toContain('(0.0.0.0 port')

    const loopback: ProductionService = await startProductionService({ HOST: '127.0.0.1' })
    cleanups.push(() => loopback.stop())
    expect(await answers(`${loopback.baseUrl.replace('127.0.0.1', '127.0.0.2')}/health`)).toBe(false)
  }, 90_000)

  it('refuses to start on a HOST that is not an address, naming it', async () => {
    const { service } = await startDevelopmentService({ HOST: '0.0.0.0:3000' })
    expect(await service.exited).not.toBe(0)
    expect(service.output()).toContain('HOST must be an IP address or a host name to listen on, got "0.0.0.0:3000"')
  }, 60_000)
})
