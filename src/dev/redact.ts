/**
 * `Upstash-Redact-Fields`, as QStash applies it: a redacted body or header value is shown as
 * `REDACTED:<sha256 hex>` wherever the API shows the message (messages, DLQ, logs), so it can be
 * checked against a known value without being revealed. Delivery always uses the real values,
 * and so does a DLQ retry.
 */
import { createHash } from 'node:crypto'
import type { Bytes, RedactSpec } from './model.ts'

function redacted(data: string | Uint8Array): string {
  return `REDACTED:${createHash('sha256').update(data).digest('hex')}`
}

export function redactHeaders(headers: Record<string, string>, spec: RedactSpec | undefined): Record<string, string> {
  if (spec?.headers === undefined) return headers
  const names = spec.headers === true ? undefined : new Set(spec.headers)
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => (names === undefined || names.has(name.toLowerCase()) ? [name, redacted(value)] : [name, value])),
  )
}

/** The body to show: unchanged, or its redaction marker as UTF-8 bytes. */
export function redactBody(body: Bytes, spec: RedactSpec | undefined): Bytes {
  if (!spec?.body) return body
  return new TextEncoder().encode(redacted(body))
}
