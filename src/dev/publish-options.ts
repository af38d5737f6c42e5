/**
 * Turns the `Upstash-*` headers of a publish / enqueue / batch entry into delivery options,
 * validating them up front so a bad header is a 400 at publish time, never a stuck message.
 */
import { type CallbackSpec, type Destination, type FlowControlSpec, HttpError, type PublishOptions, type RedactSpec } from './model.ts'
import { parseRetryDelay, RetryDelayError } from './retry-delay.ts'

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'])
export const DEFAULT_RETRIES = 3

export function parsePublishOptions(headers: Headers): PublishOptions {
  const base = parseDelivery(headers, 'upstash-')
  const callbackUrl = headers.get('upstash-callback') ?? undefined
  const failureCallbackUrl = headers.get('upstash-failure-callback') ?? undefined
  const deduplicationId = headers.get('upstash-deduplication-id') ?? undefined
  if (deduplicationId === '') throw new HttpError(400, 'DeduplicationId cannot be empty')
  if (deduplicationId?.includes(':')) {
    // Real QStash answers exactly this, so the dev broker catches such ids before production does.
    throw new HttpError(400, "DeduplicationId cannot contain ':'")
  }
  const notBeforeHeader = headers.get('upstash-not-before')
  let notBefore: number | undefined
  if (notBeforeHeader !== null) {
    const seconds = Number(notBeforeHeader)
    if (!Number.isFinite(seconds) || seconds < 0) throw new HttpError(400, 'invalid Upstash-Not-Before header')
    notBefore = seconds * 1000
  }
  const contentType = headers.get('content-type')
  return {
    ...base,
    // Content-Type is the one header QStash forwards without the Upstash-Forward- prefix.
    headers: contentType === null ? base.headers : { 'content-type': contentType, ...base.headers },
    notBefore,
    callback: callbackUrl === undefined ? undefined : callbackSpec(headers, 'upstash-callback-', callbackUrl),
    failureCallback: failureCallbackUrl === undefined ? undefined : callbackSpec(headers, 'upstash-failure-callback-', failureCallbackUrl),
    label: headers.get('upstash-label') ?? undefined,
    flowControl: parseFlowControl(headers),
    redact: parseRedact(headers.get('upstash-redact-fields')),
    deduplicationId,
    contentBasedDeduplication: headers.get('upstash-content-based-deduplication') === 'true',
  }
}

/** The option set shared by messages (`Upstash-*`) and callbacks (`Upstash-Callback-*`). */
function parseDelivery(headers: Headers, prefix: string) {
  const forwardPrefix = `${prefix}forward-`
  const delivered: Record<string, string> = {}
  headers.forEach((value, name) => {
    if (name.startsWith(forwardPrefix) && name.length > forwardPrefix.length) {
      delivered[name.slice(forwardPrefix.length)] = value
    }
  })
  const method = (headers.get(`${prefix}method`) ?? 'POST').toUpperCase()
  if (!METHODS.has(method)) throw new HttpError(400, `invalid ${prefix}method header: ${method}`)
  const retriesHeader = headers.get(`${prefix}retries`)
  let maxRetries = DEFAULT_RETRIES
  if (retriesHeader !== null) {
    maxRetries = Number(retriesHeader)
    if (!Number.isInteger(maxRetries) || maxRetries < 0) throw new HttpError(400, `invalid ${prefix}retries header`)
  }
  const retryDelay = headers.get(`${prefix}retry-delay`) ?? undefined
  if (retryDelay !== undefined) {
    try {
      parseRetryDelay(retryDelay)
    } catch (error) {
      if (error instanceof RetryDelayError) throw new HttpError(400, `invalid ${prefix}retry-delay: ${error.message}`)
      throw error
    }
  }
  const delay = headers.get(`${prefix}delay`)
  const timeout = headers.get(`${prefix}timeout`)
  return {
    method,
    headers: delivered,
    maxRetries,
    retryDelay,
    delayMs: delay === null ? undefined : parseDuration(delay, `${prefix}delay`),
    timeoutMs: timeout === null ? undefined : parseDuration(timeout, `${prefix}timeout`),
  }
}

/** `Upstash-Flow-Control-Value: parallelism=2, rate=10, period=1m` (the SDK's format). */
export function parseFlowControl(headers: Headers): FlowControlSpec | undefined {
  const key = headers.get('upstash-flow-control-key') ?? undefined
  const value = headers.get('upstash-flow-control-value') ?? undefined
  if (key === undefined && value === undefined) return undefined
  if (key === undefined || key === '') throw new HttpError(400, 'Upstash-Flow-Control-Value needs an Upstash-Flow-Control-Key')
  if (value === undefined || value.trim() === '') {
    throw new HttpError(400, 'Upstash-Flow-Control-Key needs an Upstash-Flow-Control-Value (parallelism and/or rate)')
  }
  const spec: FlowControlSpec = { key }
  for (const part of value.split(',')) {
    const [name, raw = ''] = part.split('=').map((text) => text.trim())
    if (name === 'period') {
      spec.periodMs = parseDuration(raw, 'Upstash-Flow-Control-Value period')
      if (!(spec.periodMs > 0)) throw new HttpError(400, 'invalid Upstash-Flow-Control-Value period')
      continue
    }
    const number = Number(raw)
    if ((name !== 'parallelism' && name !== 'rate') || raw === '' || !Number.isInteger(number) || number < 1) {
      throw new HttpError(400, `invalid Upstash-Flow-Control-Value: ${value}`)
    }
    spec[name] = number
  }
  if (spec.parallelism === undefined && spec.rate === undefined) {
    throw new HttpError(400, 'Upstash-Flow-Control-Value needs parallelism and/or rate')
  }
  return spec
}

/** `Upstash-Redact-Fields: body,header` or `body,header[Authorization],header[X-Key]`. */
export function parseRedact(value: string | null): RedactSpec | undefined {
  if (value === null || value.trim() === '') return undefined
  const spec: RedactSpec = {}
  for (const raw of value.split(',')) {
    const part = raw.trim()
    // The SDK sends `header[X]`, QStash's docs write `headers[X]`: both are accepted.
    const named = /^headers?\[(.+)\]$/i.exec(part)
    if (part.toLowerCase() === 'body') spec.body = true
    else if (part.toLowerCase() === 'header' || part.toLowerCase() === 'headers') spec.headers = true
    else if (named) {
      if (spec.headers !== true) spec.headers = [...(spec.headers ?? []), (named[1] as string).toLowerCase()]
    } else throw new HttpError(400, `invalid Upstash-Redact-Fields: ${value}`)
  }
  return spec
}

function callbackSpec(headers: Headers, prefix: string, url: string): CallbackSpec {
  assertHttpUrl(url, prefix.slice(0, -1))
  const options = parseDelivery(headers, prefix)
  // Callback bodies are QStash's JSON envelope, so they are always sent as JSON.
  return { url, ...options, headers: { 'content-type': 'application/json', ...options.headers } }
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }

/**
 * Durations as the SDK sends them (`10s`, `5m`, `2h`, `1d`; numbers are turned into `Ns`), plus
 * `ms` and compound forms (`1h30m`) for hand-written requests. A bare number means seconds.
 */
export function parseDuration(value: string, what: string): number {
  const text = value.trim()
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000
  const part = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/y
  let total = 0
  let index = 0
  if (text === '') throw new HttpError(400, `invalid ${what} header: empty`)
  while (index < text.length) {
    part.lastIndex = index
    const match = part.exec(text)
    if (!match) throw new HttpError(400, `invalid ${what} header: ${value}`)
    total += Number(match[1]) * (UNIT_MS[match[2] as string] as number)
    index = part.lastIndex
  }
  return total
}

export function assertHttpUrl(value: string, what: string): URL {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new HttpError(400, `invalid ${what} URL: ${value}`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new HttpError(400, `invalid ${what} URL: ${value}`)
  return url
}

export const GROUP_NAME = /^[A-Za-z0-9_.-]+$/

/**
 * The destination is the rest of the request path verbatim (query included, as QStash keeps it):
 * the SDK appends the URL unencoded, e.g. `/v2/publish/http://host/path?x=1`.
 */
export function parseDestination(raw: string): Destination {
  let text = raw
  if (/^https?%3A/i.test(text)) text = decodeURIComponent(text)
  if (/^https?:\/\//i.test(text)) {
    assertHttpUrl(text, 'destination')
    return { kind: 'url', url: text }
  }
  if (GROUP_NAME.test(text)) return { kind: 'group', name: text }
  if (text.startsWith('api/')) {
    throw new HttpError(404, `Publishing to a QStash API (${text}) is not supported by the QStash dev broker`)
  }
  throw new HttpError(400, `invalid destination: ${raw}`)
}
