/**
 * `POST /v2/publish/{destination}`, `POST /v2/enqueue/{queue}/{destination}` and `POST /v2/batch`.
 * A URL destination answers `{ messageId, url }`, a URL group one such entry per endpoint; a
 * duplicate answers 202 with the first publish's ids and `deduplicated: true`.
 */
import type { Context, Hono } from 'hono'
import type { ItemResult, PublishItem } from '../engine.ts'
import { type Bytes, HttpError } from '../model.ts'
import type { Destination } from '../model.ts'
import { GROUP_NAME, parseDestination, parsePublishOptions } from '../publish-options.ts'
import type { RouteDeps } from './deps.ts'

export function publishRoutes(app: Hono, { engine }: RouteDeps): void {
  app.post('/v2/publish/*', async (c) => {
    const destination = parseDestination(pathRest(c.req.url, '/v2/publish/'))
    const body = new Uint8Array(await c.req.arrayBuffer())
    const item = await publishItem(destination, undefined, c.req.raw.headers, body, callerIp(c))
    const [result] = await engine.publish([item])
    return answer(c, result as ItemResult)
  })

  app.post('/v2/enqueue/:queue/*', async (c) => {
    const queueName = queueNameOf(c.req.param('queue'))
    const destination = parseDestination(pathRest(c.req.url, `/v2/enqueue/${c.req.param('queue')}/`))
    const body = new Uint8Array(await c.req.arrayBuffer())
    const item = await publishItem(destination, queueName, c.req.raw.headers, body, callerIp(c))
    const [result] = await engine.publish([item])
    return answer(c, result as ItemResult)
  })

  app.post('/v2/batch', async (c) => {
    let entries: unknown
    try {
      entries = await c.req.json()
    } catch {
      throw new HttpError(400, 'batch body must be a JSON array')
    }
    if (!Array.isArray(entries)) throw new HttpError(400, 'batch body must be a JSON array')
    const ip = callerIp(c)
    // Everything is validated before anything is accepted: the batch is all-or-nothing.
    const items = await Promise.all(
      entries.map((entry: unknown) => {
        const { destination, headers, body, queue } = batchEntry(entry)
        return publishItem(
          parseDestination(destination),
          queue === undefined ? undefined : queueNameOf(queue),
          new Headers(headers),
          new TextEncoder().encode(body ?? ''),
          ip,
        )
      }),
    )
    return c.json(await engine.publish(items), 201)
  })
}

/** The rest of the raw URL after `marker`: the destination with its own query string. */
export function pathRest(url: string, marker: string): string {
  const index = url.indexOf(marker)
  return index < 0 ? '' : url.slice(index + marker.length)
}

function queueNameOf(value: string): string {
  const name = decodeURIComponent(value)
  if (!GROUP_NAME.test(name)) throw new HttpError(400, `invalid queue name: ${name}`)
  return name
}

export function callerIp(c: Context): string | undefined {
  // Set by serve() on Bun and Deno; absent under app.request in a test.
  return (c.env as { ip?: string } | undefined)?.ip
}

function answer(c: Context, result: ItemResult) {
  const deduplicated = Array.isArray(result) ? result.some((entry) => entry.deduplicated) : result.deduplicated
  return c.json(result, deduplicated ? 202 : 201)
}

interface BatchEntry {
  destination: string
  headers?: Record<string, string>
  body?: string
  queue?: string
}

function batchEntry(entry: unknown): BatchEntry {
  const value = entry as Partial<BatchEntry> | null
  if (typeof value !== 'object' || value === null || typeof value.destination !== 'string') {
    throw new HttpError(400, 'every batch entry needs a destination')
  }
  if (value.body !== undefined && typeof value.body !== 'string') throw new HttpError(400, 'batch body must be a string')
  if (value.headers !== undefined && (typeof value.headers !== 'object' || value.headers === null)) {
    throw new HttpError(400, 'batch headers must be an object')
  }
  return value as BatchEntry
}

async function publishItem(
  destination: Destination,
  queueName: string | undefined,
  headers: Headers,
  body: Bytes,
  callerIp: string | undefined,
): Promise<PublishItem> {
  const options = parsePublishOptions(headers)
  const target = destination.kind === 'url' ? destination.url : `group:${destination.name}`
  let dedupKey: string | undefined
  // Deduplication is scoped to the destination (an assumption: the same event id may go to
  // several destinations), and kept for 90 days (see store.ts).
  if (options.deduplicationId !== undefined) dedupKey = `id\n${target}\n${options.deduplicationId}`
  else if (options.contentBasedDeduplication) dedupKey = `content\n${await contentHash(target, headers, body)}`
  return { destination, queueName, options, body, callerIp, dedupKey }
}

/**
 * QStash's content-based id covers the destination, the body and the headers of the message;
 * we take the headers that shape delivery (`Content-Type`, `Upstash-*` minus telemetry), so two
 * clients with different agents or auth still collide on the same content.
 */
async function contentHash(target: string, headers: Headers, body: Bytes): Promise<string> {
  const relevant = [...headers.entries()]
    .filter(([name]) => name === 'content-type' || (name.startsWith('upstash-') && !name.startsWith('upstash-telemetry-')))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  const prefix = new TextEncoder().encode(`${JSON.stringify([target, relevant])}\n`)
  const input = new Uint8Array(prefix.length + body.length)
  input.set(prefix)
  input.set(body, prefix.length)
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', input))
  return [...digest].map((byte) => byte.toString(16).padStart(2, '0')).join('')
}
