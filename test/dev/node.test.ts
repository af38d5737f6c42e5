import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { spawnSync } from 'node:child_process'
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'

/*
 * The broker under Node (20+, no Bun): built to JS as `herald/dev` ships it, started in a plain
 * `node` process, driven by the real @upstash/qstash Client from that process, delivering to a
 * node:http receiver that verifies the signature with the real Receiver.
 */

const ROOT = resolve(import.meta.dir, '../..')
const OUT = join(ROOT, '.tmp', 'node-broker-build') // inside the project, so the JS finds node_modules

beforeAll(() => {
  // The package's Node build (tsconfig.build.json), of `herald/dev` alone: the broker imports
  // nothing outside src/dev, and compiling the whole toolkit here cost a minute on 2 cores.
  mkdirSync(OUT, { recursive: true })
  const config = join(OUT, 'tsconfig.json')
  writeFileSync(
    config,
    JSON.stringify({
      extends: join(ROOT, 'tsconfig.build.json'),
      compilerOptions: { outDir: OUT, rootDir: join(ROOT, 'src'), declaration: false, declarationMap: false, sourceMap: false },
      files: [join(ROOT, 'src/dev/index.ts')],
    }),
  )
  const build = spawnSync(join(ROOT, 'node_modules/.bin/tsc'), ['-p', config], { cwd: ROOT, encoding: 'utf8' })
  if (build.status !== 0) throw new Error(`build failed:\n${build.stdout}${build.stderr}`)
}, 120_000)

afterAll(() => rmSync(OUT, { recursive: true, force: true }))

describe('the local broker on Node', () => {
  it('publishes, signs and delivers with the real SDK', () => {
    const script = join(OUT, 'drive.mjs')
    writeFileSync(
      script,
      `
import http from 'node:http'
import { Client, Receiver } from '@upstash/qstash'
import { startBroker, DEV_TOKEN, DEV_CURRENT_SIGNING_KEY, DEV_NEXT_SIGNING_KEY } from './dev/index.js'

const broker = await startBroker({ port: 0, dbUrl: 'file::memory:', retryDelayScale: 0.001 })
const receiver = new Receiver({ currentSigningKey: DEV_CURRENT_SIGNING_KEY, nextSigningKey: DEV_NEXT_SIGNING_KEY })
let resolveDelivered
const delivered = new Promise((r) => (resolveDelivered = r))
const server = http.createServer(async (req, res) => {
  let body = ''
  for await (const chunk of req) body += chunk
  const url = 'http://127.0.0.1:' + server.address().port + req.url
  const valid = await receiver.verify({ signature: req.headers['upstash-signature'], body, url }).catch(() => false)
  res.end('ok')
  resolveDelivered({ body, valid })
})
await new Promise((r) => server.listen(0, '127.0.0.1', r))
const client = new Client({ baseUrl: broker.url, token: DEV_TOKEN })
const { messageId } = await client.publish({ url: 'http://127.0.0.1:' + server.address().port + '/hook', body: 'hello from node' })
const result = await Promise.race([delivered, new Promise((r) => setTimeout(() => r({ timeout: true }), 10000))])
const keys = await (await fetch(broker.url + '/v2/keys', { headers: { Authorization: 'Bearer ' + DEV_TOKEN } })).json()
console.log(JSON.stringify({ runtime: typeof Bun === 'undefined' ? 'node ' + process.version : 'bun', messageId, ...result, keys }))
server.close()
await broker.stop()
`,
    )
    const run = spawnSync('node', [script], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 })
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0)
    const result = JSON.parse(run.stdout.trim().split('\n').at(-1)!)
    expect(result.runtime).toStartWith('node v')
    expect(result).toMatchObject({ body: 'hello from node', valid: true })
    expect(result.messageId).toBeTruthy()
    expect(result.keys.current).toStartWith('sig_')
  }, 90_000)
})
