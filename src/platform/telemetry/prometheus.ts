import { type DataPoint, DataPointType, type Histogram, type MetricData, MetricReader } from '@opentelemetry/sdk-metrics'

/**
 * A pull reader that renders what the MeterProvider collected as Prometheus text exposition
 * format 0.0.4 (https://prometheus.io/docs/instrumenting/exposition_formats/), for `GET /metrics`.
 * OTel names become Prometheus names the way the OTel Prometheus exporter maps them: dots to
 * underscores, the unit appended (`_seconds`), `_total` on monotonic sums.
 */
export class PrometheusTextReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}

  async scrape(): Promise<string> {
    const { resourceMetrics } = await this.collect()
    const lines: string[] = []
    for (const scope of resourceMetrics.scopeMetrics) for (const metric of scope.metrics) lines.push(...render(metric))
    return `${lines.join('\n')}\n`
  }
}

const UNITS: Record<string, string> = { s: 'seconds', ms: 'milliseconds', By: 'bytes', '1': 'ratio' }

function metricName(metric: MetricData): string {
  const base = metric.descriptor.name.replace(/[^a-zA-Z0-9_:]/g, '_')
  const unit = UNITS[metric.descriptor.unit]
  return unit && !base.endsWith(`_${unit}`) ? `${base}_${unit}` : base
}

const escapeLabel = (value: string) => value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')
const escapeHelp = (value: string) => value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')

function labels(point: DataPoint<unknown>, extra: Record<string, string> = {}): string {
  const all = { ...Object.fromEntries(Object.entries(point.attributes).map(([k, v]) => [k.replace(/[^a-zA-Z0-9_]/g, '_'), String(v)])), ...extra }
  const entries = Object.entries(all)
  return entries.length === 0 ? '' : `{${entries.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}`
}

const number = (value: number) => (Number.isFinite(value) ? String(value) : value > 0 ? '+Inf' : value < 0 ? '-Inf' : 'NaN')

function render(metric: MetricData): string[] {
  const name = metricName(metric)
  const help = metric.descriptor.description ? [`# HELP ${name} ${escapeHelp(metric.descriptor.description)}`] : []
  switch (metric.dataPointType) {
    case DataPointType.SUM: {
      const counter = metric.isMonotonic
      const full = counter ? `${name}_total` : name
      const helpFull = help.map((h) => h.replace(`# HELP ${name} `, `# HELP ${full} `))
      return [...helpFull, `# TYPE ${full} ${counter ? 'counter' : 'gauge'}`, ...metric.dataPoints.map((p) => `${full}${labels(p)} ${number(p.value)}`)]
    }
    case DataPointType.GAUGE:
      return [...help, `# TYPE ${name} gauge`, ...metric.dataPoints.map((p) => `${name}${labels(p)} ${number(p.value)}`)]
    case DataPointType.HISTOGRAM:
      return [...help, `# TYPE ${name} histogram`, ...metric.dataPoints.flatMap((p) => histogram(name, p))]
    default:
      return [] // exponential histograms: Herald makes none
  }
}

function histogram(name: string, point: DataPoint<Histogram>): string[] {
  const { boundaries, counts } = point.value.buckets
  const lines: string[] = []
  let cumulative = 0
  boundaries.forEach((bound, i) => {
    cumulative += counts[i] ?? 0
    lines.push(`${name}_bucket${labels(point, { le: number(bound) })} ${cumulative}`)
  })
  lines.push(`${name}_bucket${labels(point, { le: '+Inf' })} ${point.value.count}`)
  lines.push(`${name}_sum${labels(point)} ${number(point.value.sum ?? 0)}`)
  lines.push(`${name}_count${labels(point)} ${point.value.count}`)
  return lines
}
