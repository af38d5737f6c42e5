import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { DEV_QSTASH } from '../../src/platform/messaging/qstash.ts'
import { orderBody } from '../support/herald.ts'
import { waitFor } from '../support/wait-for.ts'
import { freePort, type Service, startService, waitUntilServing } from './support.ts'

/*
 * The README's "two instances side by side": `npm run dev` twice, each with its own PORT,
 * DATABASE_URL and QSTASH_DEV_PORT (the two databases in one folder, as data/ would hold them),
 * real processes, each with its in-process broker. Each order reaches `paid` on its own
 * instance, each buyer gets one mail per order from their own instance, and each broker's URL
 * groups point at its own instance only.
 */

const ROOT = resolve(import.meta.dir, '../..')

interface Instance {
  readonly name: string
  readonly url: string
  readonly brokerUrl: string
  readonly process: Service
}

let dir: string
const instances: Instance[] = []

/** The environment a user has, less anything that would point the service at another QStash. */
function userEnv(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && !name.startsWith('QSTASH_') && !name.startsWith('OTEL_') && name !== 'NODE_ENV') env[name] = value
  }
  return { ...env, ...extra }
}

async function startInstance(name: string): Promise<Instance> {
  const [port, brokerPort] = [await freePort(), await freePort()]
  const url = `http://127.0.0.1:${port}`
  const service = startService('npm', ['run', 'dev'], {
    cwd: ROOT,
    env: userEnv({ PORT: String(port), DATABASE_URL: `file:${join(dir, `${name}.db`)}`, QSTASH_DEV_PORT: String(brokerPort), GRACE_PERIOD_MS: '0' }),
  })
  const instance = { name, url, brokerUrl: `http://127.0.0.1:${brokerPort}`, process: service }
  instances.push(instance)
  await waitUntilServing(`${url}/health`, service, 30_000)
  // Printed once the URL groups are synced.
  await waitFor(() => service.output().includes('listening on'), { timeoutMs: 30_000, what: `${name} to finish starting` })
  return instance
}

async function json<T>(url: string, init?: RequestInit): Promise<T> {
  const response = await fetch(url, init)
  if (!response.ok) throw new Error(`${init?.method ?? 'GET'} ${url} → ${response.status}: ${await response.text()}`)
  return response.json() as Promise<T>
}

const placeOrder = (instance: Instance) =>
  json<{ orderId: string }>(`${instance.url}/orders`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Idempotency-Key': `side-by-side-${instance.name}` },
    body: JSON.stringify(orderBody()),
  })

const mails = (instance: Instance) => json<{ kind: string; subject: string }[]>(`${instance.url}/notifications?buyerId=alice`)

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'herald-side-by-side-'))
  await Promise.all([startInstance('one'), startInstance('two')])
}, 60_000)

afterAll(async () => {
  await Promise.all(instances.map((instance) => instance.process.stop()))
  if (dir) rmSync(dir, { recursive: true, force: true })
})

describe('two instances side by side (own PORT, DATABASE_URL and QSTASH_DEV_PORT)', () => {
  it('each walks its own order to paid and mails its own buyer once, with no cross-talk', async () => {
    const [one, two] = instances as [Instance, Instance]
    const orders = new Map<Instance, string>()
    for (const instance of [one, two]) orders.set(instance, (await placeOrder(instance)).orderId)

    for (const instance of [one, two]) {
      const orderId = orders.get(instance)!
      await waitFor(async () => (await json<{ status: string }>(`${instance.url}/orders/${orderId}`)).status === 'paid', {
        timeoutMs: 30_000,
        what: `${instance.name}'s order to be paid\n${instance.process.output()}`,
      })
      const paidMails = await waitFor(
        async () => {
          const paid = (await mails(instance)).filter((mail) => mail.kind === 'order-paid')
          return paid.length > 0 ? paid : undefined
        },
        { what: `${instance.name}'s paid mail` },
      )
      expect(paidMails.map((mail) => mail.subject)).toEqual([`Order ${orderId} is paid`])
    }
    // Neither instance mailed about, or even holds, the other's order.
    expect((await mails(one)).some((mail) => mail.subject.includes(orders.get(two)!))).toBe(false)
    expect((await mails(two)).some((mail) => mail.subject.includes(orders.get(one)!))).toBe(false)
    expect((await fetch(`${one.url}/orders/${orders.get(two)}`)).status).toBe(404)
  }, 90_000)

  it("keeps each broker's queue in its own file and its URL groups pointing at its own instance", async () => {
    expect(existsSync(join(dir, 'one.qstash-dev.db'))).toBe(true)
    expect(existsSync(join(dir, 'two.qstash-dev.db'))).toBe(true)
    for (const instance of instances) {
      const groups = await json<{ name: string; endpoints: { url: string }[] }[]>(`${instance.brokerUrl}/v2/topics`, {
        headers: { Authorization: `Bearer ${DEV_QSTASH.token}` },
      })
      const urls = groups.flatMap((group) => group.endpoints.map((endpoint) => endpoint.url))
      expect(urls.length).toBeGreaterThan(0)
      expect(urls.filter((url) => !url.startsWith(`${instance.url}/`))).toEqual([])
    }
  })
})
