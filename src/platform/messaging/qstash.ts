import { Client, Receiver } from '@upstash/qstash'
import type { MessagingOptions } from './options.ts'
import { qstashPublisher } from './publisher.ts'

// Its own module so that config.ts can name the public values without importing the composition root.
export { DEV_QSTASH } from './dev-credentials.ts'

export interface QStashSettings {
  readonly url: string
  readonly token: string
  readonly currentSigningKey: string
  readonly nextSigningKey: string
  /** Delivery retries QStash makes per message (its default is 3). */
  readonly retries?: number
  /** Seconds a subscriber may take before QStash counts the attempt as failed (`DELIVERY_TIMEOUT_SECONDS`). */
  readonly timeoutSeconds?: number
}

/** The real SDK's Client and Receiver, wired as Herald's publisher, verifier and admin client. */
export function qstashMessaging(
  settings: QStashSettings,
  extra: Omit<MessagingOptions, 'publisher' | 'verifier' | 'qstash'> = {},
): MessagingOptions & { qstash: Client } {
  // The outbox relay owns retries (per-row backoff, then the sweep), so the SDK's own five
  // in-request retries would only delay noticing an outage (~4 s inside a Worker's waitUntil).
  // Dev mode always off: with `QSTASH_DEV` set the SDK would swap in the public dev credentials
  // (its Receiver then accepts anything signed with the public dev keys). Herald's own local
  // broker takes the dev server's place, configured like real QStash.
  const qstash = new Client({ baseUrl: settings.url, token: settings.token, retry: { retries: 1, backoff: () => 100 }, devMode: false })
  return {
    ...extra,
    qstash,
    // Deliveries come from QStash's host: the origin of the CloudEvents webhook handshake.
    origin: new URL(settings.url).host,
    publisher: qstashPublisher(qstash, {
      ...(settings.retries === undefined ? {} : { retries: settings.retries }),
      ...(settings.timeoutSeconds === undefined ? {} : { timeoutSeconds: settings.timeoutSeconds }),
    }),
    verifier: new Receiver({ currentSigningKey: settings.currentSigningKey, nextSigningKey: settings.nextSigningKey, devMode: false }),
  }
}

/** Reads the standard QSTASH_* variables; undefined when no token is set (use the local broker). */
export function qstashSettingsFromEnv(env: Readonly<Record<string, string | undefined>>): QStashSettings | undefined {
  const { QSTASH_URL, QSTASH_TOKEN, QSTASH_CURRENT_SIGNING_KEY, QSTASH_NEXT_SIGNING_KEY } = env
  if (!QSTASH_TOKEN) return undefined
  if (!QSTASH_CURRENT_SIGNING_KEY || !QSTASH_NEXT_SIGNING_KEY) {
    throw new Error('QSTASH_TOKEN is set, so QSTASH_CURRENT_SIGNING_KEY and QSTASH_NEXT_SIGNING_KEY must be set too')
  }
  return {
    url: QSTASH_URL ?? 'https://qstash.upstash.io',
    token: QSTASH_TOKEN,
    currentSigningKey: QSTASH_CURRENT_SIGNING_KEY,
    nextSigningKey: QSTASH_NEXT_SIGNING_KEY,
  }
}
