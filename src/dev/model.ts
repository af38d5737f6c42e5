/**
 * The broker's own records. Everything the delivery loop needs lives on a {@link MessageRecord}
 * so a message can be rebuilt from its libSQL row after a crash without any other state.
 */
/** Bytes backed by a plain ArrayBuffer: what fetch bodies and WebCrypto accept. */
export type Bytes = Uint8Array<ArrayBuffer>

/** Where a message goes: one URL, or every endpoint of a URL group. */
export type Destination = { kind: 'url'; url: string } | { kind: 'group'; name: string }

/** A publish's delivery options, parsed from its `Upstash-*` headers (see publish-options.ts). */
export interface PublishOptions {
  method: string
  /** Delivered headers: `Upstash-Forward-X: v` becomes `x: v`; `Content-Type` passes through. */
  headers: Record<string, string>
  delayMs?: number
  /** Unix ms; overrides the delay (as the SDK documents). */
  notBefore?: number
  maxRetries: number
  retryDelay?: string
  timeoutMs?: number
  callback?: CallbackSpec
  failureCallback?: CallbackSpec
  label?: string
  flowControl?: FlowControlSpec
  redact?: RedactSpec
  deduplicationId?: string
  contentBasedDeduplication: boolean
}

export type MessageKind = 'message' | 'callback' | 'failure-callback'

/** How a callback (or failure callback) message is delivered: QStash's `Upstash-Callback-*` headers. */
export interface CallbackSpec {
  url: string
  method: string
  /** Headers delivered to the callback URL (from `Upstash-Callback-Forward-*`). */
  headers: Record<string, string>
  maxRetries: number
  retryDelay?: string
  timeoutMs?: number
  delayMs?: number
}

/**
 * `Upstash-Flow-Control-Key` / `-Value`: messages sharing a key share its limits, whichever
 * endpoint they go to. The last publish with a key sets the key's limits (as in QStash).
 */
export interface FlowControlSpec {
  key: string
  /** At most this many attempts in flight for the key. */
  parallelism?: number
  /** At most this many attempts started per period. */
  rate?: number
  /** The rate's period in ms (default 1 s). */
  periodMs?: number
}

/** `Upstash-Redact-Fields: body,header[Authorization]` (or `header` for all of them). */
export interface RedactSpec {
  body?: boolean
  /** `true`: every header; otherwise these header names (case-insensitive). */
  headers?: true | string[]
}

export interface MessageRecord {
  id: string
  /** Acceptance order; FIFO within a queue follows it. */
  seq: number
  kind: MessageKind
  url: string
  method: string
  /** Headers delivered with every attempt (already without the `Upstash-Forward-` prefix). */
  headers: Record<string, string>
  body: Bytes
  topicName?: string
  endpointName?: string
  queueName?: string
  maxRetries: number
  retryDelay?: string
  timeoutMs?: number
  callback?: CallbackSpec
  failureCallback?: CallbackSpec
  /** The raw `Upstash-Label` header: several labels are comma-joined (see {@link labelsOf}). */
  label?: string
  callerIp?: string
  /** Set on the messages a schedule publishes (`Upstash-Schedule-Id` on delivery). */
  scheduleId?: string
  flowControl?: FlowControlSpec
  /** `Upstash-Redact-Fields`: what logs and the DLQ must not show. */
  redact?: RedactSpec
  /** Unix ms. */
  createdAt: number
  /** Unix ms of the first delivery attempt (delay / not-before applied). */
  notBefore: number
  /** Retries done so far: the `Upstash-Retried` value of the next attempt. */
  retried: number
  /** Unix ms when the next attempt is due. */
  nextAt: number
}

/** A cron schedule: each firing publishes a message built from it (`Upstash-Schedule-Id` set). */
export interface ScheduleRecord {
  scheduleId: string
  /** As given, `CRON_TZ=…` prefix included. */
  cron: string
  /** A URL, or a URL group's name. */
  destination: Destination
  queueName?: string
  /** The publish options of every firing (the same `Upstash-*` headers as a publish). */
  options: PublishOptions
  body: Bytes
  callerIp?: string
  createdAt: number
  paused: boolean
  /**
   * Unix ms of the next firing. Committed together with each firing's messages, so a restart
   * neither repeats a firing nor loses one that was due (a missed run fires once).
   */
  nextAt: number
  lastAt?: number
  lastMessageIds?: string[]
}

/** What the destination answered on one attempt; absent when the attempt got no HTTP response. */
export interface AttemptResponse {
  status: number
  headers: Record<string, string[]>
  body: Bytes
}

export interface DlqRecord {
  dlqId: string
  seq: number
  message: MessageRecord
  response?: AttemptResponse
  /** Connection error / timeout text when the last attempt got no response. */
  error?: string
  createdAt: number
}

export interface Endpoint {
  name?: string
  url: string
}

export interface UrlGroupRecord {
  name: string
  createdAt: number
  updatedAt: number
  endpoints: Endpoint[]
}

export interface QueueRecord {
  name: string
  parallelism: number
  paused: boolean
  createdAt: number
  updatedAt: number
}

/** An error that becomes an HTTP answer `{ error }` with this status (QStash's error shape). */
export class HttpError extends Error {
  constructor(
    readonly status: 400 | 401 | 404 | 409 | 500 | 501,
    message: string,
  ) {
    super(message)
    this.name = 'HttpError'
  }
}

/**
 * The labels of a message: the SDK sends `label: string[]` as one comma-joined header, and QStash
 * reports them split (`labels`), with `label` the first one only.
 */
export function labelsOf(label: string | undefined): string[] | undefined {
  if (label === undefined) return undefined
  const labels = label
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
  return labels.length === 0 ? undefined : labels
}

const ALPHABET = '0123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz'

/** A random id with QStash-like prefixes (`msg_…`), not time-ordered: order is kept by `seq`. */
export function newId(prefix: string): string {
  const bytes = crypto.getRandomValues(new Uint8Array(22))
  let out = ''
  for (const byte of bytes) out += ALPHABET[byte % ALPHABET.length]
  return `${prefix}_${out}`
}
