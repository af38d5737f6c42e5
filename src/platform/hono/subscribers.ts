import type { Context, Hono, MiddlewareHandler } from 'hono'
import { HeraldError } from '../../kernel/index.ts'
import { type Deliveries, NonRetryableDelivery } from '../messaging/deliveries.ts'
import { problem } from './problem.ts'
import { type SignatureVerifier, verifySignature } from './verify-signature.ts'

/**
 * QStash deliveries. Status codes speak QStash: 2xx delivered (also for a duplicate), 489 with
 * `Upstash-NonRetryable-Error: true` for what can never succeed (straight to the DLQ), 409/5xx
 * for what may succeed later (retried with backoff).
 */
export function registerSubscriberRoutes(
  app: Hono<any>,
  deps: {
    deliveries: Deliveries
    verifier: SignatureVerifier | undefined
    publicUrl: string
    /** Records each verified delivery and the status it got (telemetry; see src/platform/observability). */
    recordDelivery?: (kind: 'subscriber' | 'handler') => MiddlewareHandler
  },
) {
  const { deliveries, verifier, publicUrl } = deps
  const verified = verifySignature(verifier, publicUrl)
  const record = deps.recordDelivery ?? ((): MiddlewareHandler => async (_c, next) => next())

  app.post('/subscribers/:context', verified, record('subscriber'), async (c) => {
    const body = await c.req.text()
    return settle(c, () => deliveries.receive(c.req.param('context'), c.req.header(), body))
  })
  app.post('/internal/handlers/:name', verified, record('handler'), async (c) =>
    settle(c, async () => deliveries.runJob(c.req.param('name'), await c.req.text())),
  )
}

async function settle(c: Context, run: () => Promise<'processed' | 'duplicate'>): Promise<Response> {
  try {
    return c.json({ status: await run() }, 200)
  } catch (error) {
    if (error instanceof NonRetryableDelivery || (error instanceof HeraldError && error.kind !== 'conflict' && error.kind !== 'unavailable')) {
      const { code, message } = error as HeraldError
      return problem(c, { title: 'Undeliverable', status: 489, code, detail: message }, { 'Upstash-NonRetryable-Error': 'true' })
    }
    throw error
  }
}
