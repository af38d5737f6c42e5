/**
 * Response bodies in the shapes the `@upstash/qstash` SDK parses (its `Message`, `DlqMessage`,
 * `UrlGroup` and `QueueResponse` types): `topicName` (the SDK maps it to `urlGroup`), header
 * values as arrays, the body as text when it is valid UTF-8 and as `bodyBase64` otherwise.
 */
import { headerRecord } from './delivery.ts'
import { type DlqRecord, labelsOf, type MessageRecord, type QueueRecord, type ScheduleRecord, type UrlGroupRecord } from './model.ts'
import { redactBody, redactHeaders } from './redact.ts'
import { base64 } from './signing.ts'

const strictUtf8 = new TextDecoder('utf-8', { fatal: true })

export function bodyFields(bytes: Uint8Array, prefix: '' | 'response' = ''): Record<string, string> {
  const text = prefix === '' ? 'body' : 'responseBody'
  const encoded = prefix === '' ? 'bodyBase64' : 'responseBodyBase64'
  if (bytes.length === 0) return {}
  try {
    return { [text]: strictUtf8.decode(bytes) }
  } catch {
    return { [encoded]: base64(bytes) }
  }
}

export function messagePayload(message: MessageRecord) {
  const labels = labelsOf(message.label)
  return {
    messageId: message.id,
    url: message.url,
    topicName: message.topicName,
    endpointName: message.endpointName,
    queueName: message.queueName,
    method: message.method,
    header: headerRecord(redactHeaders(message.headers, message.redact)),
    ...bodyFields(redactBody(message.body, message.redact)),
    maxRetries: message.maxRetries,
    retried: message.retried,
    retryDelayExpression: message.retryDelay,
    notBefore: message.notBefore,
    createdAt: message.createdAt,
    callback: message.callback?.url,
    failureCallback: message.failureCallback?.url,
    callerIp: message.callerIp,
    scheduleId: message.scheduleId,
    flowControlKey: message.flowControl?.key,
    parallelism: message.flowControl?.parallelism,
    rate: message.flowControl?.rate,
    // Seconds, as QStash reports it; the default period when only a rate is set.
    period: message.flowControl?.rate === undefined ? undefined : (message.flowControl.periodMs ?? 1000) / 1000,
    label: labels?.[0],
    labels,
  }
}

export function dlqPayload(record: DlqRecord) {
  return {
    ...messagePayload(record.message),
    dlqId: record.dlqId,
    responseStatus: record.response?.status,
    responseHeader: record.response?.headers,
    ...(record.response ? bodyFields(record.response.body, 'response') : {}),
    // Not in QStash's shape: why an attempt without an HTTP response failed.
    error: record.error,
    dlqCreatedAt: record.createdAt,
  }
}

/** The SDK's `Schedule` (times in unix ms, `delay` and `period` in seconds). */
export function schedulePayload(schedule: ScheduleRecord) {
  const { options } = schedule
  const labels = labelsOf(options.label)
  const flow = options.flowControl
  return {
    scheduleId: schedule.scheduleId,
    cron: schedule.cron,
    createdAt: schedule.createdAt,
    destination: schedule.destination.kind === 'url' ? schedule.destination.url : schedule.destination.name,
    method: options.method,
    header: headerRecord(redactHeaders(options.headers, options.redact)),
    ...bodyFields(redactBody(schedule.body, options.redact)),
    retries: options.maxRetries,
    retryDelayExpression: options.retryDelay,
    delay: options.delayMs === undefined ? undefined : options.delayMs / 1000,
    timeout: options.timeoutMs === undefined ? undefined : options.timeoutMs / 1000,
    callback: options.callback?.url,
    failureCallback: options.failureCallback?.url,
    callerIp: schedule.callerIp,
    callerIP: schedule.callerIp,
    isPaused: schedule.paused,
    queueName: schedule.queueName,
    flowControlKey: flow?.key,
    parallelism: flow?.parallelism,
    rate: flow?.rate,
    period: flow?.rate === undefined ? undefined : (flow.periodMs ?? 1000) / 1000,
    label: labels?.[0],
    labels,
    lastScheduleTime: schedule.lastAt,
    nextScheduleTime: schedule.paused ? undefined : schedule.nextAt,
  }
}

export function urlGroupPayload(group: UrlGroupRecord) {
  return { name: group.name, createdAt: group.createdAt, updatedAt: group.updatedAt, endpoints: group.endpoints }
}

export function queuePayload(queue: QueueRecord & { lag: number }) {
  return {
    name: queue.name,
    parallelism: queue.parallelism,
    paused: queue.paused,
    lag: queue.lag,
    createdAt: queue.createdAt,
    updatedAt: queue.updatedAt,
  }
}
