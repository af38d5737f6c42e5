import type { Client } from '@upstash/qstash'
import type { SignatureVerifier } from '../hono/verify-signature.ts'
import type { RelayOptions } from '../outbox/relay.ts'
import type { Publisher } from './publisher.ts'

/** How a service talks to QStash (or the local broker): what `createHerald` takes as `messaging`. */
export interface MessagingOptions {
  /** Publishes outbox rows (QStash in production, the local broker in dev). */
  readonly publisher?: Publisher
  /** Checks `Upstash-Signature` on deliveries (the SDK's Receiver). */
  readonly verifier?: SignatureVerifier
  /** For admin: DLQ and URL groups. */
  readonly qstash?: Client
  /**
   * `immediate` (Bun, Deno): relay right after each commit. `deferred` (Workers): collect the
   * committed ids and let the runtime flush them in `waitUntil` after the response.
   */
  readonly relayMode?: 'immediate' | 'deferred'
  /** The host deliveries come from (QStash's): what the CloudEvents webhook handshake names. */
  readonly origin?: string
  /** Relay tuning (tests shorten the backoff). */
  readonly relay?: Partial<Pick<RelayOptions, 'leaseMs' | 'batchSize' | 'maxAttempts' | 'baseBackoffMs'>>
}
