import { context, diag, metrics, propagation, trace } from '@opentelemetry/api'
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core'
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http'
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http'
import { resourceFromAttributes } from '@opentelemetry/resources'
import { MeterProvider, type MetricReader, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics'
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BasicTracerProvider,
  BatchSpanProcessor,
  ParentBasedSampler,
  type Sampler,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace-base'
import type { Env } from '../config.ts'
import { AsyncLocalStorageContextManager } from './context-manager.ts'
import { PrometheusTextReader } from './prometheus.ts'

export interface Telemetry {
  /** Traces are exported (an OTLP endpoint is set). */
  readonly tracing: boolean
  /** Every Herald metric as Prometheus text, for `GET /metrics`. */
  scrape(): Promise<string>
  /** Exports what is buffered (tests, and before exit). */
  flush(): Promise<void>
  /** Flushes, stops the exporters and unregisters the global providers. */
  shutdown(): Promise<void>
}

/**
 * Registers the OpenTelemetry JS SDK for a long-running entry (Bun, Deno), configured the standard
 * way (https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/):
 * traces go to `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` (or `OTEL_EXPORTER_OTLP_ENDPOINT` + `/v1/traces`)
 * over OTLP/HTTP JSON with `OTEL_EXPORTER_OTLP_HEADERS`, as `OTEL_SERVICE_NAME`, sampled per
 * `OTEL_TRACES_SAMPLER`/`_ARG`; the W3C trace-context propagator; metrics are always kept for the
 * Prometheus scrape and also pushed over OTLP when an endpoint is set. Without an endpoint the
 * tracing API stays the no-op it is by default. `OTEL_SDK_DISABLED=true` turns it all off.
 */
export function startTelemetry(env: Env, options: { serviceName?: string; warn?: (message: string) => void } = {}): Telemetry {
  const warn = options.warn ?? ((message: string) => console.warn(`[herald] ${message}`))
  const prometheus = new PrometheusTextReader()
  if (env.OTEL_SDK_DISABLED === 'true')
    return { tracing: false, scrape: () => prometheus.scrape().catch(() => ''), flush: async () => {}, shutdown: async () => {} }

  const protocol = env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL
  if (protocol && protocol !== 'http/json') warn(`OTEL_EXPORTER_OTLP_PROTOCOL=${protocol} is not supported here; exporting http/json`)
  const headers = parseHeaders(env.OTEL_EXPORTER_OTLP_HEADERS)
  const resource = resourceFromAttributes({
    ...parseHeaders(env.OTEL_RESOURCE_ATTRIBUTES),
    'service.name': env.OTEL_SERVICE_NAME || options.serviceName || 'herald',
  })

  const tracesUrl = signalEndpoint(env, 'TRACES', 'v1/traces')
  const tracing = tracesUrl !== undefined && env.OTEL_TRACES_EXPORTER !== 'none'
  let tracerProvider: BasicTracerProvider | undefined
  if (tracing) {
    const exporter = new OTLPTraceExporter({ url: tracesUrl, headers: { ...headers, ...parseHeaders(env.OTEL_EXPORTER_OTLP_TRACES_HEADERS) } })
    tracerProvider = new BasicTracerProvider({
      resource,
      sampler: sampler(env, warn),
      spanProcessors: [new BatchSpanProcessor(exporter, env.OTEL_BSP_SCHEDULE_DELAY ? { scheduledDelayMillis: Number(env.OTEL_BSP_SCHEDULE_DELAY) } : {})],
    })
    context.setGlobalContextManager(new AsyncLocalStorageContextManager())
    propagation.setGlobalPropagator(new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }))
    trace.setGlobalTracerProvider(tracerProvider)
  }

  const readers: MetricReader[] = [prometheus]
  const metricsUrl = signalEndpoint(env, 'METRICS', 'v1/metrics')
  if (metricsUrl && env.OTEL_METRICS_EXPORTER !== 'none') {
    const exporter = new OTLPMetricExporter({ url: metricsUrl, headers: { ...headers, ...parseHeaders(env.OTEL_EXPORTER_OTLP_METRICS_HEADERS) } })
    readers.push(new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: Number(env.OTEL_METRIC_EXPORT_INTERVAL ?? 60_000) }))
  }
  const meterProvider = new MeterProvider({ resource, readers })
  metrics.setGlobalMeterProvider(meterProvider)

  return {
    tracing,
    scrape: () => prometheus.scrape(),
    async flush() {
      await Promise.all([tracerProvider?.forceFlush(), meterProvider.forceFlush()])
    },
    async shutdown() {
      await Promise.allSettled([tracerProvider?.shutdown(), meterProvider.shutdown()])
      trace.disable()
      context.disable()
      propagation.disable()
      metrics.disable()
      diag.disable()
    },
  }
}

/** The per-signal endpoint as given, or the base endpoint with the signal's path appended. */
function signalEndpoint(env: Env, signal: 'TRACES' | 'METRICS', path: string): string | undefined {
  const specific = env[`OTEL_EXPORTER_OTLP_${signal}_ENDPOINT`]
  if (specific) return specific
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT
  return base ? `${base.replace(/\/$/, '')}/${path}` : undefined
}

/** `key1=value1,key2=value2` with URL-encoded values (the spec's format for headers and resource attributes). */
export function parseHeaders(text: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {}
  for (const pair of (text ?? '').split(',')) {
    const at = pair.indexOf('=')
    if (at <= 0) continue
    headers[decodeURIComponent(pair.slice(0, at).trim())] = decodeURIComponent(pair.slice(at + 1).trim())
  }
  return headers
}

/** `OTEL_TRACES_SAMPLER` (default `parentbased_always_on`) with `OTEL_TRACES_SAMPLER_ARG` as the ratio. */
export function sampler(env: Env, warn: (message: string) => void = () => {}): Sampler {
  const ratio = () => {
    const value = Number(env.OTEL_TRACES_SAMPLER_ARG ?? 1)
    return Number.isFinite(value) && value >= 0 && value <= 1 ? value : 1
  }
  switch (env.OTEL_TRACES_SAMPLER ?? 'parentbased_always_on') {
    case 'always_on':
      return new AlwaysOnSampler()
    case 'always_off':
      return new AlwaysOffSampler()
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(ratio())
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() })
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio()) })
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() })
    default:
      warn(`OTEL_TRACES_SAMPLER=${env.OTEL_TRACES_SAMPLER} is not supported; using parentbased_always_on`)
      return new ParentBasedSampler({ root: new AlwaysOnSampler() })
  }
}
