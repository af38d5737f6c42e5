/**
 * Callbacks are messages too, as in QStash: the JSON envelope describing an attempt is published
 * to the callback URL, durably, signed, and retried like any message (`Upstash-Callback-*`
 * options). The callback fires after every attempt that got an HTTP response (so it may fire
 * once per retry); the failure callback fires once, when the message is dead-lettered.
 */
import { headerRecord } from './delivery.ts'
import type { AttemptResponse, CallbackSpec, MessageKind, MessageRecord } from './model.ts'
import { newId } from './model.ts'
import { base64 } from './signing.ts'

/** Envelope fields as QStash sends them (timestamps as strings, bodies base64). */
export interface CallbackEnvelope {
  status: number
  header: Record<string, string[]>
  body: string
  retried: number
  maxRetries: number
  sourceMessageId: string
  url: string
  method: string
  sourceHeader: Record<string, string[]>
  sourceBody: string
  notBefore: string
  createdAt: string
  topicName?: string
  endpointName?: string
  queueName?: string
  callerIP?: string
  dlqId?: string
}

export function callbackEnvelope(source: MessageRecord, response: AttemptResponse | undefined, error: string | undefined, dlqId?: string): CallbackEnvelope {
  return {
    // No HTTP response (timeout, refused): status 0 and the error text as the body.
    status: response?.status ?? 0,
    header: response?.headers ?? {},
    body: base64(response?.body ?? new TextEncoder().encode(error ?? '')),
    retried: source.retried,
    maxRetries: source.maxRetries,
    sourceMessageId: source.id,
    url: source.url,
    method: source.method,
    sourceHeader: headerRecord(source.headers),
    sourceBody: base64(source.body),
    notBefore: String(source.notBefore),
    createdAt: String(source.createdAt),
    topicName: source.topicName,
    endpointName: source.endpointName,
    queueName: source.queueName,
    callerIP: source.callerIp,
    dlqId,
  }
}

export function callbackMessage(
  kind: Exclude<MessageKind, 'message'>,
  spec: CallbackSpec,
  envelope: CallbackEnvelope,
  seq: number,
  now: number,
  delayScale: number,
): MessageRecord {
  const due = Math.ceil(now + (spec.delayMs ?? 0) * delayScale)
  return {
    id: newId('msg'),
    seq,
    kind,
    url: spec.url,
    method: spec.method,
    headers: spec.headers,
    body: new TextEncoder().encode(JSON.stringify(envelope)),
    maxRetries: spec.maxRetries,
    retryDelay: spec.retryDelay,
    timeoutMs: spec.timeoutMs,
    createdAt: now,
    notBefore: due,
    retried: 0,
    nextAt: due,
  }
}
