import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { startTelemetry, type Telemetry } from '../../src/platform/telemetry/sdk.ts'
import { DEV_QSTASH } from '../../src/platform/messaging/qstash.ts'
import { orderBody } from '../support/herald.ts'
import { ADMIN_TOKEN, type Stack, startStack } from '../support/stack.ts'
import { waitFor } from '../support/wait-for.ts'
import { type ReceivedSpan, SpanKind, startOtlpReceiver } from './otlp-receiver.ts'

/**
 * One order is one trace: from `POST /orders` to `paid`, across every context, the grace-period
 * job and a retried delivery, exported by the real OTel SDK over OTLP/HTTP JSON to a receiver in
 * this test (no Collector can run here), on the real stack (service, local broker, QStash SDK).
 */
describe('Tracing one order', () => {
  let receiver: ReturnType<typeof startOtlpReceiver>
  let telemetry: Telemetry
  let stack: Stack
  let spans: ReceivedSpan[]
  let flow: ReceivedSpan[]
  const body = orderBody()

  beforeAll(async () => {
    receiver = startOtlpReceiver()
    telemetry = startTelemetry({
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_HEADERS: 'x-collector-key=test%20key',
      OTEL_SERVICE_NAME: 'herald-traces-test',
      OTEL_TRACES_SAMPLER: 'parentbased_always_on',
      OTEL_BSP_SCHEDULE_DELAY: '50',
      OTEL_METRICS_EXPORTER: 'none',
    })
    stack = await startStack()
    // A handler that fails once: the payment reply's delivery to ordering gets a 500, QStash retries it.
    let failed = false
    stack.herald.dispatcher.on(
      'OrderStatusChangedToPaid',
      function failOnceWhenOrderPaid() {
        if (failed) return
        failed = true
        throw new Error('injected failure, once')
      },
      { name: 'failOnceWhenOrderPaid' },
    )

    const orderId = await stack.placeOrder(body)
    await stack.orderReaches(orderId, 'paid')
    // Wait until every publish was consumed (the reactions to `paid` run after the order reads paid).
    spans = await waitFor(
      async () => {
        await telemetry.flush()
        const producers = receiver.spans.filter((s) => s.kind === SpanKind.PRODUCER)
        const consumed = new Set(receiver.spans.filter((s) => s.kind === SpanKind.CONSUMER).map((s) => s.parentSpanId))
        const paidConsumers = receiver.spans.filter(
          (s) => s.kind === SpanKind.CONSUMER && String(s.attributes['messaging.destination.name']).includes('OrderStatusChangedToPaid'),
        )
        return producers.length > 0 && producers.every((p) => consumed.has(p.spanId)) && paidConsumers.length >= 2 ? [...receiver.spans] : undefined
      },
      { what: 'every published message to be consumed' },
    )
    const root = spans.find((s) => s.name === 'POST /orders')
    flow = root ? spans.filter((s) => s.traceId === root.traceId) : []
  })

  afterAll(async () => {
    await stack?.stop()
    await telemetry?.shutdown()
    receiver?.stop()
  })

  const consumers = () => flow.filter((s) => s.kind === SpanKind.CONSUMER)
  const producers = () => flow.filter((s) => s.kind === SpanKind.PRODUCER)

  it('exports over OTLP/HTTP JSON with the configured headers and service name', () => {
    expect(receiver.headers.some((h) => h.get('x-collector-key') === 'test key')).toBe(true)
    expect(new Set(spans.map((s) => s.service))).toEqual(new Set(['herald-traces-test']))
  })

  it('puts the whole flow in the trace of POST /orders', () => {
    const root = flow.find((s) => s.name === 'POST /orders')!
    expect(root.kind).toBe(SpanKind.SERVER)
    expect(root.parentSpanId).toBeUndefined()
    expect(root.attributes['http.response.status_code']).toBe(201)
    // Outside the order's trace: only the test's own polling (GET /orders/{id}) and what it caused.
    const elsewhere = spans.filter((s) => s.traceId !== root.traceId)
    const otherRoots = new Set(elsewhere.filter((s) => !s.parentSpanId).map((s) => s.name))
    expect([...otherRoots].every((name) => name.startsWith('GET '))).toBe(true)
    expect(elsewhere.some((s) => s.kind === SpanKind.PRODUCER || s.kind === SpanKind.CONSUMER)).toBe(false)

    const names = new Set(flow.map((s) => s.name))
    for (const expected of [
      'POST /orders',
      'handle OrderStarted',
      'commit',
      'process job markAwaitingValidationWhenGracePeriodEnds',
      'publish job markAwaitingValidationWhenGracePeriodEnds',
    ]) {
      expect(names).toContain(expected)
    }
    const contexts = new Set(consumers().map((s) => s.attributes['messaging.consumer.group.name']))
    for (const context of ['ordering', 'catalog', 'payment', 'notifications', 'markAwaitingValidationWhenGracePeriodEnds']) expect(contexts).toContain(context)
    expect(flow.filter((s) => s.name.startsWith('command ')).length).toBeGreaterThanOrEqual(5)
  })

  it('makes every CONSUMER span a child of the PRODUCER span of the message it handles', () => {
    const byId = new Map(producers().map((p) => [p.spanId, p]))
    expect(consumers().length).toBeGreaterThanOrEqual(producers().length)
    for (const consumer of consumers()) {
      const producer = byId.get(consumer.parentSpanId!)
      expect(producer).toBeDefined()
      expect(consumer.attributes['messaging.message.id']).toBe(producer!.attributes['messaging.message.id'])
      expect(consumer.attributes['messaging.system']).toBe('qstash')
      expect(consumer.attributes['messaging.operation.type']).toBe('process')
    }
    for (const producer of producers()) {
      expect(producer.attributes['messaging.operation.type']).toBe('send')
      expect(producer.attributes['messaging.system']).toBe('qstash')
    }
    const event = producers().find((p) => String(p.attributes['messaging.destination.name']).startsWith('herald.'))!
    expect(event.attributes['cloudevents.event_id']).toBe(event.attributes['messaging.message.id'])
    expect(event.attributes['cloudevents.event_type']).toBe(event.attributes['messaging.destination.name'])
    expect(String(event.attributes['cloudevents.event_source'])).toStartWith('/herald/')
    expect(event.attributes['cloudevents.event_subject']).toBeString()
  })

  it('shows a retried delivery as a second CONSUMER span under the same PRODUCER span', () => {
    const deliveries = consumers().filter(
      (s) =>
        s.attributes['messaging.consumer.group.name'] === 'ordering' && String(s.attributes['messaging.destination.name']).includes('OrderPaymentSucceeded'),
    )
    expect(deliveries.length).toBe(2)
    expect(deliveries[0]!.parentSpanId).toBe(deliveries[1]!.parentSpanId!)
    expect(deliveries.map((s) => s.attributes['herald.delivery.outcome']).sort()).toEqual(['failed', 'processed'])
    expect(deliveries.map((s) => s.attributes['herald.delivery.retried']).sort()).toEqual([0, 1])
  })

  it('names the command, its aggregate and its attempt', () => {
    const command = flow.find((s) => s.name.startsWith('command ') && s.attributes['herald.aggregate.type'] === 'Order')!
    expect(command.attributes['herald.aggregate.id']).toBeString()
    expect(command.attributes['herald.command.attempt']).toBe(1)
    expect(command.attributes['herald.command.conflict_retries']).toBe(0)
    const commit = flow.find((s) => s.name === 'commit' && s.parentSpanId === command.spanId)!
    expect(commit.attributes['db.operation.batch.size']).toBeGreaterThan(0)
  })

  it('puts no card data, signature, token, email or name in any span', () => {
    const exported = receiver.raw.join('\n')
    for (const secret of [
      body.buyer.email,
      body.buyer.name,
      body.card.number,
      body.card.holderName,
      ADMIN_TOKEN,
      DEV_QSTASH.token,
      DEV_QSTASH.currentSigningKey,
      DEV_QSTASH.nextSigningKey,
    ]) {
      expect(exported).not.toContain(secret)
    }
    expect(exported).not.toMatch(/upstash-signature|eyJhbGciOi/i)
  })
})
