import { afterEach, describe, expect, test } from 'bun:test'
import { join } from 'node:path'
import { Client, Receiver } from '@upstash/qstash'
import { dbUrlOf, parseCli, UsageError } from '../../src/dev/cli.ts'
import { DEV_CURRENT_SIGNING_KEY, DEV_NEXT_SIGNING_KEY, DEV_TOKEN } from '../../src/dev/index.ts'
import { onCleanup, runCleanups, startReceiver, tempDbUrl, waitFor } from './support.ts'

afterEach(runCleanups)

const ROOT = join(import.meta.dir, '..', '..')

/** Runs `bun src/dev/cli.ts …` and reads the four variable lines it prints on stdout. */
async function spawnCli(args: string[]) {
  const child = Bun.spawn([process.execPath, 'run', 'src/dev/cli.ts', ...args], { cwd: ROOT, stdout: 'pipe', stderr: 'pipe' })
  onCleanup(() => {
    child.kill('SIGKILL')
    return child.exited
  })
  const reader = child.stdout.getReader()
  let output = ''
  await waitFor(
    async () => {
      const { value, done } = await reader.read()
      if (done) throw new Error(`cli exited: ${output}`)
      output += new TextDecoder().decode(value)
      return output.split('\n').filter((line) => line.includes('=')).length >= 4
    },
    { message: 'the four variable lines', timeoutMs: 15_000 },
  )
  reader.releaseLock()
  const env = Object.fromEntries(
    output
      .trim()
      .split('\n')
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  )
  return { env, output, child }
}

describe('dev broker: standalone CLI', () => {
  test('prints QSTASH_URL, QSTASH_TOKEN and both signing keys; the SDK works with exactly those', async () => {
    const { env, output } = await spawnCli(['--port', '0', '--db', tempDbUrl(), '--retry-delay-scale', '0.5'])
    expect(Object.keys(env)).toEqual(['QSTASH_URL', 'QSTASH_TOKEN', 'QSTASH_CURRENT_SIGNING_KEY', 'QSTASH_NEXT_SIGNING_KEY'])
    expect(output).toMatch(/^QSTASH_URL=http:\/\/127\.0\.0\.1:\d+\n/)
    expect(env).toMatchObject({
      QSTASH_TOKEN: DEV_TOKEN,
      QSTASH_CURRENT_SIGNING_KEY: DEV_CURRENT_SIGNING_KEY,
      QSTASH_NEXT_SIGNING_KEY: DEV_NEXT_SIGNING_KEY,
    })

    const target = startReceiver()
    const client = new Client({ baseUrl: env.QSTASH_URL, token: env.QSTASH_TOKEN, retry: false })
    const { messageId } = await client.publish({ url: target.url('/cli'), body: 'hello' })
    const delivery = await waitFor(() => target.deliveries[0])
    expect(delivery.headers.get('upstash-message-id')).toBe(messageId)
    const receiver = new Receiver({ currentSigningKey: env.QSTASH_CURRENT_SIGNING_KEY ?? '', nextSigningKey: env.QSTASH_NEXT_SIGNING_KEY ?? '' })
    expect(await receiver.verify({ signature: delivery.headers.get('upstash-signature') ?? '', body: 'hello', url: target.url('/cli') })).toBe(true)
  })

  test('defaults to an in-memory broker; a bad flag exits 2 with the usage', async () => {
    const { env } = await spawnCli(['--port=0'])
    const client = new Client({ baseUrl: env.QSTASH_URL, token: env.QSTASH_TOKEN, retry: false })
    expect(await client.queue({ queueName: 'q' }).list()).toEqual([])

    const bad = Bun.spawn([process.execPath, 'run', 'src/dev/cli.ts', '--port', 'eighty'], { cwd: ROOT, stdout: 'pipe', stderr: 'pipe' })
    expect(await bad.exited).toBe(2)
    expect(await new Response(bad.stderr).text()).toContain('--port must be a non-negative integer')
  })

  test('argument parsing', () => {
    expect(parseCli([])).toEqual({ port: 8080, dbUrl: ':memory:', retryDelayScale: undefined, hostname: undefined })
    expect(parseCli(['--port', '9000', '--db', './data/q.db', '--retry-delay-scale=0.01', '--hostname', '0.0.0.0'])).toEqual({
      port: 9000,
      dbUrl: 'file:./data/q.db',
      retryDelayScale: 0.01,
      hostname: '0.0.0.0',
    })
    expect(parseCli(['--help'])).toBe('help')
    expect(dbUrlOf('memory')).toBe(':memory:')
    expect(dbUrlOf('file:/tmp/x.db')).toBe('file:/tmp/x.db')
    for (const bad of [['--port', '-1'], ['--port', '70000'], ['--retry-delay-scale', 'fast'], ['--nope'], ['extra']]) {
      expect(() => parseCli(bad)).toThrow(UsageError)
    }
  })
})
