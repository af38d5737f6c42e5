import { type Subprocess, spawn } from 'bun'
import { DEV_QSTASH } from '../src/platform/messaging/qstash.ts'

/*
 * `npm run dev:split`: the reference app as two services and one broker, each its own process
 * with its own libSQL file under data/. Ordering + Notifications answer the public API on PORT
 * (default 3000); Catalog + Payment run on PORT+1; the local QStash-compatible broker on
 * QSTASH_DEV_PORT (8080). The services share nothing but the broker and the contracts. Ctrl-C
 * stops all three.
 */
const port = Number(process.env.PORT ?? 3000)
const brokerPort = Number(process.env.QSTASH_DEV_PORT ?? 8080)
const brokerUrl = `http://127.0.0.1:${brokerPort}`
const root = new URL('..', import.meta.url).pathname

const services = [
  { name: 'ordering', contexts: 'ordering,notifications', port },
  { name: 'fulfilment', contexts: 'catalog,payment', port: port + 1 },
]

const children: Subprocess[] = []
const start = (script: string, env: Record<string, string>) => {
  const child = spawn([process.execPath, 'run', script], { cwd: root, env: { ...process.env, ...env }, stdout: 'inherit', stderr: 'inherit' })
  children.push(child)
  return child
}

start('src/dev/main.ts', { QSTASH_DEV_PORT: String(brokerPort), QSTASH_DEV_DB: process.env.QSTASH_DEV_DB ?? 'file:./data/qstash-dev.db' })
await until(`${brokerUrl}/v2/keys`)
for (const service of services) {
  start('src/service/bun.ts', {
    HERALD_SERVICE: service.name,
    HERALD_CONTEXTS: service.contexts,
    // Each dashboard joins the other's part of a chain.
    HERALD_PEERS: services
      .filter((other) => other !== service)
      .map((other) => `http://127.0.0.1:${other.port}`)
      .join(','),
    PORT: String(service.port),
    PUBLIC_URL: `http://127.0.0.1:${service.port}`,
    DATABASE_URL: `file:./data/${service.name}.db`,
    QSTASH_URL: brokerUrl,
    QSTASH_TOKEN: DEV_QSTASH.token,
    QSTASH_CURRENT_SIGNING_KEY: DEV_QSTASH.currentSigningKey,
    QSTASH_NEXT_SIGNING_KEY: DEV_QSTASH.nextSigningKey,
  })
}
console.log(`[herald] split: ordering + notifications on :${port}, catalog + payment on :${port + 1}, broker on :${brokerPort} (Ctrl-C stops all three)`)

let stopping = false
const stopAll = async (code: number) => {
  if (stopping) return
  stopping = true
  for (const child of children) child.kill('SIGTERM')
  await Promise.all(children.map((child) => child.exited))
  process.exit(code)
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void stopAll(0))
// One of them died on its own: stop the others rather than leave half a system running.
void Promise.race(children.map((child) => child.exited)).then((code) => stopAll(code || 1))

async function until(url: string, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (
      await fetch(url).then(
        (r) => r.status < 500,
        () => false,
      )
    )
      return
    await Bun.sleep(50)
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`)
}
