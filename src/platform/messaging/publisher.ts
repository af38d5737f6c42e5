import type { Client } from '@upstash/qstash'

export interface OutboundMessage {
  readonly destination: { readonly urlGroup: string } | { readonly url: string }
  readonly body: string
  readonly contentType: string
  /** QStash drops a second publish with the same id: re-publishing after a crash is safe. */
  readonly deduplicationId: string
  /** Unix seconds; QStash holds the message until then. */
  readonly notBefore?: number
  /** Deliver one at a time with the other messages of this key (QStash flow control, parallelism 1). */
  readonly orderKey?: string
}

/** Hands a message to the broker and returns its message id(s). */
export interface Publisher {
  publish(message: OutboundMessage): Promise<string>
}

/** `retries`: QStash's delivery retries per message; `timeoutSeconds`: how long a subscriber may take. */
export function qstashPublisher(client: Client, options: { retries?: number; timeoutSeconds?: number } = {}): Publisher {
  return {
    async publish(message) {
      const common = {
        body: message.body,
        headers: { 'Content-Type': message.contentType },
        deduplicationId: message.deduplicationId,
        ...(message.notBefore === undefined ? {} : { notBefore: message.notBefore }),
        ...(message.orderKey === undefined ? {} : { flowControl: { key: message.orderKey, parallelism: 1 } }),
        ...(options.retries === undefined ? {} : { retries: options.retries }),
        ...(options.timeoutSeconds === undefined ? {} : { timeout: options.timeoutSeconds }),
      }
      if ('urlGroup' in message.destination) {
        const responses = await client.publish({ ...common, urlGroup: message.destination.urlGroup })
        const ids = (Array.isArray(responses) ? responses : [responses]).map((r) => r.messageId)
        if (ids.length === 0) throw new Error(`URL group ${message.destination.urlGroup} has no endpoints`)
        return ids.join(',')
      }
      const response = await client.publish({ ...common, url: message.destination.url })
      return response.messageId
    },
  }
}
