/**
 * The message log (`GET /v2/logs`, and `/v2/events`, which the SDK's `client.logs()` calls): one
 * entry per state change, written in the same commit as the change itself, so the log never
 * shows what the file does not hold. Newest first; only the last `retention` entries are kept
 * (QStash keeps the last 10,000).
 */
import { headerRecord } from './delivery.ts'
import { labelsOf, type MessageRecord } from './model.ts'
import { bodyFields } from './payloads.ts'
import { redactBody, redactHeaders } from './redact.ts'

/** QStash's states, with the SDK's spelling of CANCELED. */
export const LOG_STATES = ['CREATED', 'ACTIVE', 'RETRY', 'ERROR', 'DELIVERED', 'FAILED', 'CANCELED'] as const
export type LogState = (typeof LOG_STATES)[number]

/** The state filter also takes IN_PROGRESS (ACTIVE, RETRY or ERROR) and the REST docs' CANCELLED. */
export function statesOf(filter: string): LogState[] | undefined {
  const upper = filter.toUpperCase()
  if (upper === 'IN_PROGRESS') return ['ACTIVE', 'RETRY', 'ERROR']
  if (upper === 'CANCELLED') return ['CANCELED']
  return (LOG_STATES as readonly string[]).includes(upper) ? [upper as LogState] : undefined
}

export const DEFAULT_LOG_RETENTION = 10_000

/** One log entry: the filterable columns plus the entry as the API shows it. */
export interface EventRecord {
  time: number
  state: LogState
  messageId: string
  url: string
  topicName?: string
  queueName?: string
  scheduleId?: string
  /** Normalised, comma-joined. */
  label?: string
  callerIp?: string
  flowControlKey?: string
  host: string
  path: string
  payload: Record<string, unknown>
}

export interface EventDetail {
  nextDeliveryTime?: number
  error?: string
  responseStatus?: number
}

export function eventRecord(message: MessageRecord, state: LogState, time: number, detail: EventDetail = {}): EventRecord {
  const url = new URL(message.url)
  const labels = labelsOf(message.label)
  return {
    time,
    state,
    messageId: message.id,
    url: message.url,
    topicName: message.topicName,
    queueName: message.queueName,
    scheduleId: message.scheduleId,
    label: labels?.join(','),
    callerIp: message.callerIp,
    flowControlKey: message.flowControl?.key,
    host: url.host,
    path: url.pathname,
    payload: {
      time,
      state,
      messageId: message.id,
      url: message.url,
      topicName: message.topicName,
      endpointName: message.endpointName,
      queueName: message.queueName,
      scheduleId: message.scheduleId,
      callerIp: message.callerIp,
      flowControlKey: message.flowControl?.key,
      label: labels?.[0],
      labels,
      ...detail,
      // The request as accepted, once (redacted as asked): later entries refer to it by id.
      ...(state === 'CREATED'
        ? {
            method: message.method,
            header: headerRecord(redactHeaders(message.headers, message.redact)),
            ...bodyFields(redactBody(message.body, message.redact)),
          }
        : {}),
    },
  }
}
