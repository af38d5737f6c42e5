import { Receiver } from '@upstash/qstash'
import { HTTP } from 'cloudevents'
import { Hono } from 'hono'

/**
 * A third-party subscriber to Herald's events, as a team outside Herald would deploy it:
 * verify the QStash signature on the raw body, parse the CloudEvent with the SDK, dedupe by
 * CloudEvent id (QStash delivers at least once), then act — here, log.
 */
export interface WebhookOptions {
  readonly currentSigningKey: string
  readonly nextSigningKey: string
  /** The exact URL registered with Herald; the signature's `sub` must equal it. */
  readonly publicUrl: string
  readonly log?: (line: string) => void
}

export interface ReceivedEvent {
  readonly id: string
  readonly type: string
  readonly subject: string | undefined
  readonly data: unknown
}

export function webhookApp({ currentSigningKey, nextSigningKey, publicUrl, log = console.log }: WebhookOptions) {
  const receiver = new Receiver({ currentSigningKey, nextSigningKey })
  // A real deployment keeps seen ids in a store with a TTL longer than QStash's retry window.
  const seen = new Set<string>()
  const received: ReceivedEvent[] = []
  const app = new Hono()

  // The CloudEvents webhook handshake (abuse protection): Herald asks before it subscribes us.
  // We consent to whoever asks; a stricter subscriber would check the origin against QStash's host.
  app.options('/events', (c) => {
    const origin = c.req.header('WebHook-Request-Origin')
    if (!origin) return c.body(null, 400)
    return c.body(null, 200, { 'WebHook-Allowed-Origin': origin, 'WebHook-Allowed-Rate': '*', Allow: 'POST' })
  })

  app.post('/events', async (c) => {
    const body = await c.req.text()
    const signature = c.req.header('Upstash-Signature') ?? ''
    const valid = await receiver.verify({ signature, body, url: `${publicUrl}/events` }).catch(() => false)
    if (!valid) return c.json({ error: 'invalid signature' }, 401)

    let event: ReturnType<typeof HTTP.toEvent>
    try {
      event = HTTP.toEvent({ headers: c.req.header(), body })
    } catch {
      // 489 + this header tells QStash not to retry: a malformed event will never parse.
      return c.json({ error: 'not a CloudEvent' }, 489 as 400, { 'Upstash-NonRetryable-Error': 'true' })
    }
    if (Array.isArray(event)) return c.json({ error: 'batches not supported' }, 489 as 400, { 'Upstash-NonRetryable-Error': 'true' })
    if (seen.has(event.id)) return c.json({ status: 'duplicate' })
    seen.add(event.id)
    received.push({ id: event.id, type: event.type, subject: event.subject, data: event.data })
    log(`[webhook] ${event.type} ${event.subject ?? ''} ${event.id}`)
    return c.json({ status: 'processed' })
  })

  return { app, received }
}
