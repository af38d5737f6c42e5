import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { DEV_QSTASH } from '../../src/platform/messaging/qstash.ts'
import { createLogger, scrubText } from '../../src/platform/telemetry/logger.ts'
import { startTelemetry, type Telemetry } from '../../src/platform/telemetry/sdk.ts'
import { orderBody } from '../support/herald.ts'
import { ADMIN_TOKEN, type Stack, startStack } from '../support/stack.ts'
import { waitFor } from '../support/wait-for.ts'
import { startOtlpReceiver } from './otlp-receiver.ts'

/** The service's log of a full order flow at `info`, captured line by line. */
describe('Logs of an order flow', () => {
  const lines: string[] = []
  const body = orderBody()
  let receiver: ReturnType<typeof startOtlpReceiver>
  let telemetry: Telemetry
  let stack: Stack
  let records: Record<string, any>[]

  beforeAll(async () => {
    receiver = startOtlpReceiver()
    telemetry = startTelemetry({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_METRICS_EXPORTER: 'none' })
    stack = await startStack({ herald: { logger: createLogger({ level: 'info', write: (line) => lines.push(line) }) } })
    // A failure whose cause names the card and the buyer: the cause is logged, the card and email are not.
    let failed = false
    stack.herald.dispatcher.on(
      'OrderStatusChangedToPaid',
      function failOnceWhenOrderPaid() {
        if (failed) return
        failed = true
        throw new Error('injected failure', { cause: new Error(`card ${body.card.number} of ${body.buyer.email} refused`) })
      },
      { name: 'failOnceWhenOrderPaid' },
    )
    const orderId = await stack.placeOrder(body)
    await stack.orderReaches(orderId, 'paid')
    await waitFor(
      () =>
        lines.some((l) => l.includes('/subscribers/:context') && l.includes('"status":200') && l.includes('notifications')) ||
        stack.served.filter((s) => s.path === '/subscribers/notifications').length > 0,
    )
    await stack.admin('/admin/outbox')
    await fetch(`${stack.publicUrl}/admin/outbox`, { headers: { Authorization: 'Bearer not-the-admin-token-4111111111111111' } })
    records = lines.map((l) => JSON.parse(l))
  })

  afterAll(async () => {
    await stack?.stop()
    await telemetry?.shutdown()
    receiver?.stop()
  })

  it('writes one JSON line per request with method, route, status, duration, request id and trace id', () => {
    const post = records.find((r) => r.msg === 'request' && r.method === 'POST' && r.route === '/orders')!
    expect(post).toMatchObject({ level: 'info', status: 201 })
    expect(post.durationMs).toBeNumber()
    expect(post.requestId).toBeString()
    expect(post.traceId).toMatch(/^[0-9a-f]{32}$/)
    const delivery = records.find((r) => r.msg === 'request' && r.route === '/subscribers/:context' && r.status === 200)!
    expect(delivery.traceId).toBe(post.traceId)
    expect(records.filter((r) => r.msg.startsWith('request')).length).toBe(stack.served.length)
  })

  it('logs a failure with its cause, and the delivery outcome other than processed', () => {
    const failure = records.find((r) => r.msg === 'request failed')!
    expect(failure).toMatchObject({ level: 'error', status: 500, route: '/subscribers/:context' })
    expect(failure.error.message).toBe('injected failure')
    expect(failure.error.cause.message).toBe('card [card] of [email] refused')
    expect(records.find((r) => r.msg === 'delivery' && r.outcome === 'failed')).toMatchObject({ level: 'warn', target: 'ordering', status: 500 })
  })

  it('never writes the secret, the card number or the email', () => {
    const log = lines.join('\n')
    expect(log.length).toBeGreaterThan(0)
    for (const secret of [
      ADMIN_TOKEN,
      body.card.number,
      body.buyer.email,
      body.buyer.name,
      body.card.holderName,
      DEV_QSTASH.currentSigningKey,
      DEV_QSTASH.nextSigningKey,
      DEV_QSTASH.token,
    ]) {
      expect(log).not.toContain(secret)
    }
  })

  it('scrubs free text of emails, card numbers, JWTs, signing keys and bearer tokens', () => {
    expect(scrubText('alice@example.com paid with 4111 1111 1111 1111 via Bearer abc.def sig_7kYjw48 eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln')).toBe(
      '[email] paid with [card] via Bearer *** sig_*** [jwt]',
    )
  })
})
