import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { DEV_QSTASH } from '../../src/platform/messaging/qstash.ts'

const entry = fileURLToPath(new URL('../../src/dev/main.ts', import.meta.url))

export interface BrokerProcess {
  readonly url: string
  readonly pid: number
  stop(): Promise<void>
}

/** The local broker as `npm run broker` runs it, in a process of its own (port 0, its own libSQL file). */
export async function spawnBroker(dbPath: string, cpuProfileDir?: string, env: Record<string, string> = {}): Promise<BrokerProcess> {
  const profile = cpuProfileDir ? ['--cpu-prof', '--cpu-prof-md', `--cpu-prof-dir=${cpuProfileDir}`] : []
  const proc = Bun.spawn([process.execPath, ...profile, entry], {
    stdout: 'pipe',
    stderr: 'inherit',
    env: { ...process.env, ...env, QSTASH_DEV_PORT: '0', QSTASH_DEV_DB: `file:${dbPath}` },
  })
  const reader = proc.stdout.getReader()
  const decoder = new TextDecoder()
  let buffered = ''
  let url: string | undefined
  const deadline = Date.now() + 30_000
  while (url === undefined) {
    if (Date.now() > deadline) throw new Error('broker did not start within 30 s')
    const { value, done } = await reader.read()
    if (done) throw new Error(`broker exited before it was ready (code ${await proc.exited})`)
    buffered += decoder.decode(value, { stream: true })
    url = /listening on (http:\/\/[^\s]+)/.exec(buffered)?.[1]
  }
  void (async () => {
    for (;;) if ((await reader.read()).done) return
  })().catch(() => undefined)
  return {
    url,
    pid: proc.pid,
    async stop() {
      if (proc.exitCode !== null) return
      proc.kill('SIGTERM')
      const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000)
      await proc.exited
      clearTimeout(timer)
    },
  }
}

const TICKS_PER_SECOND = 100 // USER_HZ on Linux (getconf CLK_TCK)

/** utime + stime of a process so far, in ms (/proc/<pid>/stat fields 14 and 15). */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND
}

/**
 * When the broker started each delivery attempt (its message log's `ACTIVE` entries, epoch ms),
 * per message id, oldest first: read through the QStash logs API, newest first, back to `since`.
 */
export async function brokerAttemptStarts(url: string, since: number): Promise<Map<string, number[]>> {
  const starts = new Map<string, number[]>()
  let cursor: string | undefined
  for (;;) {
    const query = new URLSearchParams({ state: 'ACTIVE', count: '5000', ...(cursor ? { cursor } : {}) })
    const response = await fetch(`${url}/v2/logs?${query}`, { headers: { Authorization: `Bearer ${DEV_QSTASH.token}` } })
    if (!response.ok) throw new Error(`broker logs → ${response.status}: ${await response.text()}`)
    const page = (await response.json()) as { cursor?: string; logs: { time: number; messageId: string }[] }
    for (const entry of page.logs) starts.set(entry.messageId, [entry.time, ...(starts.get(entry.messageId) ?? [])])
    cursor = page.cursor
    if (!cursor || page.logs.length === 0 || page.logs.at(-1)!.time < since) return starts
  }
}
