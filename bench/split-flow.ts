/**
 * `bun run bench/split-flow.ts [--orders N] [--concurrency C]`: orders reaching `paid` per second
 * with the reference app as ONE service (all four contexts) and SPLIT into two (Ordering +
 * Notifications, Catalog + Payment, as `npm run dev:split` runs them), both on the local broker in
 * its own process, measured in the same run from the first POST to the last `paid`. Prints both and
 * the split/one ratio. Grace period 0, a new buyer per order, stock that never runs out.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DEV_QSTASH } from '../src/platform/messaging/qstash.ts'
import { spawnBroker } from './harness/broker-process.ts'

const arg = (name: string, fallback: number) => {
  const at = process.argv.indexOf(`--${name}`)
  return at > 0 ? Number(process.argv[at + 1]) : fallback
}
const ORDERS = arg('orders', 400)
const CONCURRENCY = arg('concurrency', 32)
const root = new URL('..', import.meta.url).pathname

async function freePort(): Promise<number> {
  const server = Bun.serve({ port: 0, fetch: () => new Response() })
  const port = server.port as number
  server.stop(true)
  return port
}

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await Bun.sleep(20)
  }
}

async function run(layout: 'one' | 'split'): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), `herald-split-bench-${layout}-`))
  const broker = await spawnBroker(join(dir, 'qstash.db'))
  const groups = layout === 'one' ? ['ordering,catalog,payment,notifications'] : ['ordering,notifications', 'catalog,payment']
  const services = await Promise.all(groups.map(async (contexts) => ({ contexts, port: await freePort() })))
  const procs = services.map(({ contexts, port }, i) =>
    Bun.spawn([process.execPath, 'run', 'src/service/bun.ts'], {
      cwd: root,
      stdout: 'ignore',
      stderr: 'inherit',
      env: {
        ...process.env,
        NODE_ENV: 'benchmark',
        LOG_LEVEL: 'warn',
        HERALD_CONTEXTS: contexts,
        PORT: String(port),
        PUBLIC_URL: `http://127.0.0.1:${port}`,
        DATABASE_URL: `file:${join(dir, `service-${i}.db`)}`,
        GRACE_PERIOD_MS: '0',
        OUTBOX_MAX_PENDING: '0',
        QSTASH_URL: broker.url,
        QSTASH_TOKEN: DEV_QSTASH.token,
        QSTASH_CURRENT_SIGNING_KEY: DEV_QSTASH.currentSigningKey,
        QSTASH_NEXT_SIGNING_KEY: DEV_QSTASH.nextSigningKey,
      },
    }),
  )
  const api = `http://127.0.0.1:${services[0]!.port}`
  try {
    for (const { port } of services) await until(async () => (await fetch(`http://127.0.0.1:${port}/health`)).ok, 30_000, `service on ${port}`)
    // Both services subscribed before the clock starts (a split service syncs its own groups).
    await Bun.sleep(300)
    const ids: string[] = []
    const started = performance.now()
    let next = 0
    const body = (i: number) =>
      JSON.stringify({
        buyer: { id: `bench-${layout}-${i}`, name: 'Bench', email: `b${i}@example.com` },
        address: { street: '1 Main St', city: 'Springfield', state: 'IL', country: 'US', zipCode: '62701' },
        card: { number: '4111111111111111', holderName: 'Bench', expiration: '12/30', securityNumber: '123', typeId: 2 },
        items: [{ productId: 'sticker', productName: 'Sticker pack', unitPrice: 4, units: 1 }],
      })
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let i = next++; i < ORDERS; i = next++) {
          const response = await fetch(`${api}/orders`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: body(i) })
          if (response.status !== 201) throw new Error(`POST /orders → ${response.status}`)
          ids.push(((await response.json()) as { orderId: string }).orderId)
        }
      }),
    )
    const pending = new Set(ids)
    await until(
      async () => {
        for (const id of [...pending].slice(0, 64)) {
          const order = (await (await fetch(`${api}/orders/${id}`)).json()) as { status: string }
          if (order.status === 'paid') pending.delete(id)
        }
        return pending.size === 0
      },
      300_000,
      'every order to be paid',
    )
    return ORDERS / ((performance.now() - started) / 1000)
  } finally {
    for (const proc of procs) proc.kill('SIGTERM')
    await Promise.all(procs.map((proc) => proc.exited))
    await broker.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}

const one = await run('one')
const split = await run('split')
console.log(`split flow: ${ORDERS} orders at c=${CONCURRENCY}, first POST to last paid`)
console.log(`  one service (4 contexts):     ${one.toFixed(1)} paid/s`)
console.log(`  two services + one broker:    ${split.toFixed(1)} paid/s`)
console.log(`  split / one:                  ${(split / one).toFixed(2)}×`)
