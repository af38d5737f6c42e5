import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { IntegrationEvent } from '../../src/kernel/index.ts'
import { toStructuredCloudEvent } from '../../src/platform/messaging/cloud-events.ts'
import { DEV_QSTASH } from '../../src/platform/messaging/qstash.ts'
import { orderBody } from '../../test/support/herald.ts'
import { signDelivery } from '../../test/support/qstash-signature.ts'

/** A fresh directory for one suite run's database files. */
export function workDirectory(): string {
  return mkdtempSync(join(tmpdir(), 'herald-bench-'))
}

/** A POST /orders body from a buyer nobody has seen before (so no two commands touch one aggregate). */
export function uniqueOrderBody(tag: string, index: number): string {
  const id = `${tag}-${index}`
  return JSON.stringify(orderBody({ buyer: { id, name: `Buyer ${index}`, email: `${id}@example.com` } }))
}

export const JSON_HEADERS = { 'content-type': 'application/json' } as const

export interface SignedDelivery {
  readonly body: string
  readonly signature: string
}

/**
 * A BuyerRegistered v2 CloudEvent exactly as Herald's relay would publish it (structured mode),
 * with a fresh event id, signed for `url` with the dev QStash key — what the local broker or
 * QStash would POST to `/subscribers/notifications`.
 */
export async function signedBuyerRegistered(publicUrl: string, url: string, index: number, tag: string): Promise<SignedDelivery> {
  const buyerId = `${tag}-${index}`
  const event: IntegrationEvent = {
    id: crypto.randomUUID(),
    source: 'ordering',
    type: 'BuyerRegistered',
    version: 2,
    subject: buyerId,
    time: new Date().toISOString(),
    data: { buyerId, name: `Buyer ${index}`, email: `${buyerId}@example.com`, channel: 'api' },
    correlationId: crypto.randomUUID(),
    causationId: crypto.randomUUID(),
    sequence: 1,
  }
  const body = toStructuredCloudEvent(event, publicUrl)
  return { body, signature: await signDelivery({ key: DEV_QSTASH.currentSigningKey, url, body, expiresIn: 3600 }) }
}

/** Signs `count` deliveries ahead of a run (autocannon's per-request hook is synchronous). */
export async function signedPool(publicUrl: string, path: string, count: number, tag: string): Promise<SignedDelivery[]> {
  const pool: SignedDelivery[] = []
  const chunk = 500
  for (let start = 0; start < count; start += chunk) {
    const size = Math.min(chunk, count - start)
    pool.push(...(await Promise.all(Array.from({ length: size }, (_, i) => signedBuyerRegistered(publicUrl, `${publicUrl}${path}`, start + i, tag)))))
  }
  return pool
}
