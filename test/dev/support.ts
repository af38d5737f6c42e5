/** Helpers for the dev broker tests: temp files, a recording receiver, a deadline-bound waitFor. */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Client, Receiver } from '@upstash/qstash'
import { type Broker, type BrokerOptions, type Clock, DEV_CURRENT_SIGNING_KEY, DEV_NEXT_SIGNING_KEY, DEV_TOKEN, startBroker } from '../../src/dev/index.ts'

const cleanups: (() => unknown)[] = []

/** Registers work for the end of the current test (LIFO). */
export function onCleanup(task: () => unknown): void {
  cleanups.push(task)
}

/**
 * Runs the registered cleanups. Every test file calls `afterEach(runCleanups)` itself: a hook
 * registered here would bind only to the first file that imports this (cached) module.
 */
export async function runCleanups(): Promise<void> {
  while (cleanups.length > 0) await cleanups.pop()?.()
}

export type Truthy<T> = Exclude<T, false | 0 | '' | null | undefined>

/** Polls `condition` until it returns a truthy value, or fails after `timeoutMs`. */
export async function waitFor<T>(
  condition: () => T | Promise<T>,
  { timeoutMs = 10_000, intervalMs = 5, message = 'condition' }: { timeoutMs?: number; intervalMs?: number; message?: string } = {},
): Promise<Truthy<T>> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  for (;;) {
    try {
      const value = await condition()
      if (value) return value as Truthy<T>
    } catch (error) {
      last = error
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${message}${last ? `: ${last}` : ''}`)
    await Bun.sleep(intervalMs)
  }
}

/** A `file:` URL in a fresh temp directory, removed after the test. */
export function tempDbUrl(): string {
  const dir = mkdtempSync(join(tmpdir(), 'qstash-dev-test-'))
  onCleanup(() => rmSync(dir, { recursive: true, force: true }))
  return `file:${join(dir, 'qstash.db')}`
}

export interface TestBroker extends Broker {
  client: Client
  dbUrl: string
}

export async function testBroker(options: BrokerOptions = {}): Promise<TestBroker> {
  const dbUrl = options.dbUrl ?? tempDbUrl()
  const broker = await startBroker({ ...options, port: 0, dbUrl, retryDelayScale: options.retryDelayScale ?? 1 })
  onCleanup(() => broker.stop())
  return { ...broker, dbUrl, client: sdkClient(broker.url) }
}

export function sdkClient(baseUrl: string, token = DEV_TOKEN): Client {
  // retry: false so a refused request fails at once instead of after the SDK's own backoff.
  return new Client({ baseUrl, token, retry: false })
}

export const receiver = new Receiver({ currentSigningKey: DEV_CURRENT_SIGNING_KEY, nextSigningKey: DEV_NEXT_SIGNING_KEY })

export interface Delivery {
  method: string
  url: string
  headers: Headers
  body: string
  bytes: Uint8Array
  at: number
}

export type Handler = (delivery: Delivery, index: number) => Response | Promise<Response>

/** A real HTTP endpoint on 127.0.0.1:0 that records every request it gets. */
export function startReceiver(handler: Handler = () => new Response('ok')) {
  const deliveries: Delivery[] = []
  const server = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    async fetch(request) {
      const bytes = new Uint8Array(await request.arrayBuffer())
      const delivery: Delivery = {
        method: request.method,
        url: request.url,
        headers: request.headers,
        body: new TextDecoder().decode(bytes),
        bytes,
        at: Date.now(),
      }
      deliveries.push(delivery)
      return handler(delivery, deliveries.length - 1)
    },
  })
  onCleanup(() => server.stop(true))
  return {
    url: (path = '/') => `http://127.0.0.1:${server.port}${path}`,
    deliveries,
    stop: () => server.stop(true),
  }
}

/** Checks a delivery with the SDK's Receiver against the URL it arrived on. */
export function verify(delivery: Delivery, url = delivery.url): Promise<boolean> {
  return receiver.verify({ signature: delivery.headers.get('upstash-signature') ?? '', body: delivery.body, url })
}

/** Raw call to the broker API with the dev token. */
export function api(broker: Broker, path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers)
  if (!headers.has('authorization')) headers.set('authorization', `Bearer ${DEV_TOKEN}`)
  return fetch(`${broker.url}${path}`, { ...init, headers })
}

/** A promise with its resolver, to hold a receiver's answer until the test says so. */
export function gate() {
  let open!: () => void
  const opened = new Promise<void>((resolve) => {
    open = resolve
  })
  return { open, opened }
}

/**
 * A clock that moves only when told: timers due at or before the current time run (on a fresh
 * macrotask, like real ones), later ones wait for {@link advance}.
 */
export class ManualClock implements Clock {
  private readonly timers = new Map<number, { at: number; task: () => void }>()
  private nextId = 1

  constructor(private time: number) {}

  now(): number {
    return this.time
  }

  setTimeout(task: () => void, ms: number): unknown {
    const id = this.nextId++
    this.timers.set(id, { at: this.time + Math.max(0, ms), task })
    this.runDue()
    return id
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number)
  }

  advance(ms: number): void {
    this.time += ms
    this.runDue()
  }

  private runDue(): void {
    for (const [id, timer] of this.timers) {
      if (timer.at > this.time) continue
      this.timers.delete(id)
      setTimeout(timer.task, 0)
    }
  }
}
