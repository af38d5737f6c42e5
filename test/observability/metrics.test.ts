import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
// @ts-expect-error: the package ships no type declarations
import parsePrometheusTextFormat from 'parse-prometheus-text-format'
import { startTelemetry, type Telemetry } from '../../src/platform/telemetry/sdk.ts'
import { type Stack, startStack } from '../support/stack.ts'
import { waitFor } from '../support/wait-for.ts'

interface Family {
  readonly name: string
  readonly type: string
  readonly metrics: readonly { value?: string; labels?: Record<string, string>; buckets?: Record<string, string>; count?: string; sum?: string }[]
}

/**
 * `GET /metrics`: the OTel metrics API, collected by the SDK's MeterProvider the Bun/Deno entries
 * register (src/platform/telemetry/sdk.ts) and rendered as Prometheus text, on the real stack.
 */
describe('GET /metrics', () => {
  let telemetry: Telemetry
  let stack: Stack

  beforeAll(async () => {
    telemetry = startTelemetry({})
    stack = await startStack({ herald: { telemetry: { metrics: telemetry.scrape } } })
  })

  afterAll(async () => {
    await stack?.stop()
    await telemetry?.shutdown()
  })

  const scrape = async (): Promise<Map<string, Family>> => {
    const response = await stack.admin('/metrics')
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toStartWith('text/plain; version=0.0.4')
    const families = parsePrometheusTextFormat(await response.text()) as Family[]
    return new Map(families.map((f) => [f.name, f]))
  }
  const gauge = async (name: string) => Number((await scrape()).get(name)?.metrics[0]?.value ?? Number.NaN)

  it('is for operators only', async () => {
    expect((await fetch(`${stack.publicUrl}/metrics`)).status).toBe(401)
    expect((await fetch(`${stack.publicUrl}/metrics`, { headers: { Authorization: 'Bearer wrong' } })).status).toBe(401)
  })

  it('parses as Prometheus text with the relay, delivery, handler and outbox metrics after an order', async () => {
    const orderId = await stack.placeOrder()
    await stack.orderReaches(orderId, 'paid')
    const families = await waitFor(async () => {
      const f = await scrape()
      const deliveries = f.get('herald_deliveries_total')?.metrics ?? []
      return deliveries.some((m) => m.labels?.target === 'notifications') ? f : undefined
    })
    expect(families.get('herald_relay_published_total')?.type).toBe('COUNTER')
    expect(Number(families.get('herald_relay_published_total')!.metrics.reduce((n, m) => n + Number(m.value), 0))).toBeGreaterThanOrEqual(5)
    const deliveries = families.get('herald_deliveries_total')!
    expect(deliveries.metrics.find((m) => m.labels?.kind === 'subscriber' && m.labels?.target === 'payment' && m.labels?.outcome === 'processed')).toBeDefined()
    expect(deliveries.metrics.find((m) => m.labels?.kind === 'handler' && m.labels?.outcome === 'processed')).toBeDefined()
    expect(families.get('herald_handler_duration_seconds')?.type).toBe('HISTOGRAM')
    // parse-prometheus-text-format folds a histogram's labelled series into one, so the series are read from the text.
    const text = await (await stack.admin('/metrics')).text()
    const series = (suffix: string, handler: string) =>
      Number(
        text.match(
          new RegExp(`^herald_handler_duration_seconds_${suffix}\\{handler="${handler}",phase="in-transaction"(?:,le="\\+Inf")?\\} (\\S+)$`, 'm'),
        )?.[1],
      )
    expect(series('count', 'recordSpendWhenOrderPaid')).toBeGreaterThan(0)
    expect(series('bucket', 'recordSpendWhenOrderPaid')).toBe(series('count', 'recordSpendWhenOrderPaid'))
    for (const name of ['herald_outbox_pending', 'herald_outbox_failed', 'herald_outbox_lag_seconds']) expect(families.get(name)?.type).toBe('GAUGE')
  })

  it('shows the outbox lag rising while the broker is down and falling once it is back', async () => {
    await waitFor(async () => (await gauge('herald_outbox_pending')) === 0, { what: 'an empty outbox' })
    expect(await gauge('herald_outbox_lag_seconds')).toBe(0)

    await stack.stopBroker()
    await stack.placeOrder()
    await waitFor(async () => (await gauge('herald_outbox_pending')) > 0, { what: 'a pending outbox row' })
    const first = await gauge('herald_outbox_lag_seconds')
    // The lag grows with the oldest pending row's age: wait for it to pass 0.3 s (no fixed sleep).
    const later = await waitFor(
      async () => {
        const lag = await gauge('herald_outbox_lag_seconds')
        return lag >= 0.3 ? lag : undefined
      },
      { intervalMs: 50, what: 'the lag to pass 0.3 s' },
    )
    expect(later).toBeGreaterThan(first)
    expect(later).toBeGreaterThanOrEqual(0.3)
    const errors = (await scrape()).get('herald_relay_publish_errors_total')
    expect(errors?.metrics.reduce((n, m) => n + Number(m.value), 0)).toBeGreaterThan(0)

    await stack.restartBroker()
    await waitFor(
      async () => {
        await stack.herald.relay!.sweep()
        // Read together: the order's flow goes on once the broker is back, committing new rows.
        const [lag, pending] = [await gauge('herald_outbox_lag_seconds'), await gauge('herald_outbox_pending')]
        return lag === 0 && pending === 0 ? { lag, pending } : undefined
      },
      { intervalMs: 50, what: 'the lag and the backlog to fall back to 0' },
    )
  })
})
