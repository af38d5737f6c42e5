/**
 * A stand-in for an OpenTelemetry Collector: no Collector can run in this sandbox, so the tests
 * receive OTLP/HTTP JSON themselves. Only the receiving end is ours; the SDK, the OTLP exporter
 * and the W3C propagation under test are the real ones.
 */

export interface ReceivedSpan {
  readonly traceId: string
  readonly spanId: string
  readonly parentSpanId: string | undefined
  readonly name: string
  /** OTLP SpanKind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  readonly kind: number
  readonly attributes: Readonly<Record<string, string | number | boolean>>
  readonly service: string | undefined
}

export const SpanKind = { INTERNAL: 1, SERVER: 2, CLIENT: 3, PRODUCER: 4, CONSUMER: 5 } as const

type AnyValue = { stringValue?: string; intValue?: string | number; doubleValue?: number; boolValue?: boolean }
type KeyValue = { key: string; value: AnyValue }

const anyValue = (v: AnyValue) => v.stringValue ?? (v.intValue === undefined ? undefined : Number(v.intValue)) ?? v.doubleValue ?? v.boolValue ?? ''
const record = (attributes: readonly KeyValue[] = []) => Object.fromEntries(attributes.map((a) => [a.key, anyValue(a.value)]))

export function startOtlpReceiver() {
  const spans: ReceivedSpan[] = []
  /** Every request body as received, to search for what must never leave the service. */
  const raw: string[] = []
  const headers: Headers[] = []
  const server = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    async fetch(request) {
      const path = new URL(request.url).pathname
      const text = await request.text()
      raw.push(text)
      headers.push(request.headers)
      if (path !== '/v1/traces') return Response.json({})
      if (!request.headers.get('content-type')?.includes('application/json')) return new Response('OTLP/HTTP JSON expected', { status: 415 })
      const body = JSON.parse(text) as {
        resourceSpans: { resource?: { attributes?: KeyValue[] }; scopeSpans: { spans: any[] }[] }[]
      }
      for (const rs of body.resourceSpans) {
        const service = record(rs.resource?.attributes)['service.name'] as string | undefined
        for (const ss of rs.scopeSpans) {
          for (const s of ss.spans) {
            spans.push({
              traceId: s.traceId,
              spanId: s.spanId,
              parentSpanId: s.parentSpanId || undefined,
              name: s.name,
              kind: s.kind,
              attributes: record(s.attributes),
              service,
            })
          }
        }
      }
      return Response.json({ partialSuccess: {} })
    },
  })
  return { url: `http://127.0.0.1:${server.port}`, spans, raw, headers, stop: () => server.stop(true) }
}
