import type { DeliveryNode, MessageNode, Timeline, TimelineNode } from '../../../observability/index.ts'
import { cloudEventName } from './format.ts'

/*
 * A subject's story on a time axis, like a trace view: one row per step, in causation order
 * (each step under the one that caused it), each with its start and end on the wall clock.
 *
 *   command ─ commit ─ relay publish (outbox row written → published) ─ delivery attempt
 *   (received → answered, the handlers that ran) ─ the reaction's commit ─ …
 *
 * A commit and a command are instants; a publish and an attempt take time. Pure: no DOM, so it
 * is tested on its own.
 */

export type WaterfallStep = 'command' | 'commit' | 'publish' | 'attempt' | 'reaction'

export interface WaterfallRow {
  readonly key: string
  readonly step: WaterfallStep
  readonly kind: TimelineNode['kind']
  /** The node's id in the causation tree: several attempts share their delivery's. */
  readonly nodeId: string
  /** The context it happened in (a delivery's: its target). */
  readonly context: string
  /** How many causes above it. */
  readonly depth: number
  /** How many forks above it: the tree's indentation (a straight chain stays in line). */
  readonly level: number
  readonly label: string
  /** Epoch ms. */
  readonly start: number
  readonly end: number
  readonly failed: boolean
  /** The row it happened because of (an attempt's delivery publish, a reaction's attempt). */
  readonly cause: string | null
}

export interface Waterfall {
  readonly rows: readonly WaterfallRow[]
  /** Epoch ms of the first step and the end of the last. */
  readonly origin: number
  readonly end: number
}

export function waterfall(timeline: Timeline, now: number = Date.now()): Waterfall {
  const rows: WaterfallRow[] = []
  const visit = (node: TimelineNode, depth: number, level: number, cause: string | null) => {
    const own = rowsOf(node, depth, level, cause, now)
    rows.push(...own)
    // A reaction belongs to the attempt that committed it: the one that succeeded, else the last.
    const attempts = own.filter((r) => r.step === 'attempt')
    const parent = (attempts.find((r) => !r.failed) ?? attempts.at(-1) ?? own.at(-1))?.key ?? cause
    for (const child of node.children) visit(child, depth + 1, node.children.length > 1 ? level + 1 : level, parent)
  }
  for (const root of timeline.roots) visit(root, 0, 0, null)
  const starts = rows.map((r) => r.start).filter(Number.isFinite)
  const origin = starts.length ? Math.min(...starts) : Date.parse(timeline.subject.startedAt ?? '')
  const end = Math.max(origin, ...rows.map((r) => r.end).filter(Number.isFinite))
  return { rows, origin, end }
}

function rowsOf(node: TimelineNode, depth: number, level: number, cause: string | null, now: number): WaterfallRow[] {
  const at = node.at === null ? Number.NaN : Date.parse(node.at)
  const context = node.kind === 'delivery' ? node.target : node.context
  const base = { kind: node.kind, nodeId: node.id, context, depth, level, cause, failed: false }
  switch (node.kind) {
    case 'command':
      return [{ ...base, key: `command:${node.id}`, step: 'command', label: `command in ${node.context}`, start: at, end: at }]
    case 'domain':
      return [{ ...base, key: `commit:${node.id}`, step: 'commit', label: `commit ${node.type} (${node.context})`, start: at, end: at }]
    case 'reaction':
      return [{ ...base, key: `reaction:${node.id}`, step: 'reaction', label: `${node.reactionKind} (${node.context}) · ${node.label}`, start: at, end: at }]
    case 'integration':
    case 'job':
      return [publishRow(node, base, at, now)]
    case 'delivery':
      return attemptRows(node, base)
    default:
      return unreachable(node)
  }
}

/** From the outbox row's writing to its publishing; still waiting: up to now. */
function publishRow(node: MessageNode, base: Omit<WaterfallRow, 'key' | 'step' | 'label' | 'start' | 'end'>, at: number, now: number): WaterfallRow {
  const name = node.kind === 'job' ? `job ${node.handler ?? node.type}` : cloudEventName(node.type).name
  const published = node.outbox?.publishedAt ? Date.parse(node.outbox.publishedAt) : null
  const label = node.outbox ? `relay publish ${name}` : `${name} (not from our outbox)`
  const end = node.outbox ? (published ?? Math.max(at, now)) : at
  return { ...base, key: `publish:${node.id}`, step: 'publish', label, start: at, end, failed: node.outbox?.status === 'failed' }
}

function attemptRows(node: DeliveryNode, base: Omit<WaterfallRow, 'key' | 'step' | 'label' | 'start' | 'end'>): WaterfallRow[] {
  const handlers = node.handlers.length ? ` · ${node.handlers.join(', ')}` : ''
  return node.attempts.map((a, i) => {
    const start = Date.parse(a.at)
    // Upstash-Retried starts again at 0 when a dead letter is retried by hand.
    const which = a.retried > 0 ? `retry ${a.retried}` : i === 0 ? 'first try' : 'redelivered'
    return {
      ...base,
      key: `attempt:${node.id}:${i}`,
      step: 'attempt',
      label: `deliver to ${node.target} · ${which} · HTTP ${a.status}${handlers}`,
      start,
      end: start + a.durationMs,
      failed: a.status >= 300,
    }
  })
}

function unreachable(node: never): never {
  throw new Error(`Unknown timeline node ${JSON.stringify(node)}`)
}
