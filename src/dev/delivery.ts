/**
 * One delivery attempt: a freshly signed HTTP request to the destination, classified the way
 * QStash does. Any 2xx delivers; anything else (status, timeout, connection error) is retried,
 * except 489 + `Upstash-NonRetryable-Error: true`, which goes straight to the DLQ.
 */
import type { AttemptResponse, Bytes, MessageRecord } from './model.ts'
import type { Signer } from './signing.ts'

export type AttemptOutcome =
  | { kind: 'delivered'; response: AttemptResponse }
  | { kind: 'failed'; response?: AttemptResponse; error?: string; nonRetryable: boolean }
  /** The broker is stopping: the outcome is unknown, so the message stays pending as it was. */
  | { kind: 'aborted' }

export interface DeliveryContext {
  sign: Signer
  defaultTimeoutMs: number
  /** Aborted by `stop()`, cutting in-flight attempts short. */
  stopSignal: AbortSignal
}

/** QStash's agent string; receivers sometimes log or route on it. */
const USER_AGENT = 'Upstash-QStash'

export async function attemptDelivery(message: MessageRecord, context: DeliveryContext): Promise<AttemptOutcome> {
  const hasBody = message.method !== 'GET' && message.method !== 'HEAD'
  const body = hasBody ? message.body : new Uint8Array()
  const headers = new Headers(message.headers)
  headers.set('user-agent', USER_AGENT)
  headers.set('upstash-signature', await context.sign(message.url, body))
  headers.set('upstash-message-id', message.id)
  headers.set('upstash-retried', String(message.retried))
  if (message.topicName !== undefined) headers.set('upstash-topic-name', message.topicName)
  if (message.callerIp !== undefined) headers.set('upstash-caller-ip', message.callerIp)
  if (message.scheduleId !== undefined) headers.set('upstash-schedule-id', message.scheduleId)

  const timeout = AbortSignal.timeout(message.timeoutMs ?? context.defaultTimeoutMs)
  let response: Response
  try {
    response = await fetch(message.url, {
      method: message.method,
      headers,
      body: hasBody ? body : undefined,
      signal: AbortSignal.any([timeout, context.stopSignal]),
    })
  } catch (error) {
    if (context.stopSignal.aborted) return { kind: 'aborted' }
    const text = timeout.aborted ? 'timeout' : error instanceof Error ? error.message : String(error)
    return { kind: 'failed', error: text, nonRetryable: false }
  }

  let responseBody: Bytes
  try {
    responseBody = new Uint8Array(await response.arrayBuffer())
  } catch (error) {
    if (context.stopSignal.aborted) return { kind: 'aborted' }
    // The status is known even if the body broke off; keep what we have.
    responseBody = new TextEncoder().encode(error instanceof Error ? error.message : String(error))
  }
  const recorded: AttemptResponse = { status: response.status, headers: headerRecord(response.headers), body: responseBody }
  if (response.status >= 200 && response.status < 300) return { kind: 'delivered', response: recorded }
  const nonRetryable = response.status === 489 && response.headers.get('upstash-nonretryable-error') === 'true'
  return { kind: 'failed', response: recorded, nonRetryable }
}

/** Headers as QStash reports them in callbacks and the DLQ: name → list of values. */
export function headerRecord(headers: Headers | Record<string, string>): Record<string, string[]> {
  const record: Record<string, string[]> = {}
  const entries = headers instanceof Headers ? [...headers.entries()] : Object.entries(headers)
  for (const [name, value] of entries) {
    const canonical = name.replace(/(^|-)([a-z])/g, (_, dash: string, char: string) => dash + char.toUpperCase())
    const values = record[canonical] ?? []
    values.push(value)
    record[canonical] = values
  }
  return record
}
