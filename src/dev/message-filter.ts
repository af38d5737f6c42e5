/**
 * The filters QStash's bulk endpoints (message cancel, DLQ list/delete/retry) and logs accept.
 * Each field lists the values any of which may match (OR); fields combine with AND. A field
 * left undefined does not filter; an empty list matches nothing.
 */
import { labelsOf, type MessageRecord } from './model.ts'

export interface MessageFilter {
  messageIds?: string[]
  urls?: string[]
  topicNames?: string[]
  queueNames?: string[]
  labels?: string[]
  callerIps?: string[]
  scheduleIds?: string[]
  flowControlKeys?: string[]
  /**
   * Messages published to a QStash API (`api/llm`, email providers). The dev broker accepts no
   * API destination, so this filter matches nothing: it must never widen a bulk action.
   */
  apis?: string[]
  hosts?: string[]
  paths?: string[]
  /** Inclusive bounds, unix ms (of the message's creation; of the DLQ entry in the DLQ). */
  fromDate?: number
  toDate?: number
}

/** Whether a pending message matches (the message cancel filters). */
export function matchesMessage(filter: MessageFilter, message: MessageRecord): boolean {
  const url = new URL(message.url)
  const labels = labelsOf(message.label) ?? []
  return (
    anyOf(filter.messageIds, message.id) &&
    anyOf(filter.urls, message.url) &&
    anyOf(filter.topicNames, message.topicName) &&
    anyOf(filter.queueNames, message.queueName) &&
    (filter.labels === undefined || labels.some((label) => filter.labels?.includes(label))) &&
    anyOf(filter.callerIps, message.callerIp) &&
    anyOf(filter.scheduleIds, message.scheduleId) &&
    anyOf(filter.flowControlKeys, message.flowControl?.key) &&
    anyOf(filter.apis, undefined) &&
    anyOf(filter.hosts, url.host) &&
    anyOf(filter.paths, url.pathname) &&
    (filter.fromDate === undefined || message.createdAt >= filter.fromDate) &&
    (filter.toDate === undefined || message.createdAt <= filter.toDate)
  )
}

function anyOf(wanted: string[] | undefined, value: string | undefined): boolean {
  return wanted === undefined || (value !== undefined && wanted.includes(value))
}
