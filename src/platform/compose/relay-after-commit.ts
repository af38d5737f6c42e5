import type { Changeset } from '../../kernel/index.ts'
import type { OutboxRelay } from '../outbox/relay.ts'
import type { OutboxBacklog } from '../outbox/backlog.ts'
import { scrubText } from '../telemetry/logger.ts'

/**
 * What happens to a command's outbox rows once they commit:
 * - `immediate` (Bun, Deno): published at once from the changeset in memory, not awaited by the
 *   command (the rows are durable; if the process dies first, the sweep publishes them);
 * - `deferred` (Workers): their ids are collected, and the runtime flushes them in `waitUntil`
 *   after the response.
 */
export function relayAfterCommit(relay: OutboxRelay | undefined, mode: 'immediate' | 'deferred' = 'immediate', backlog?: OutboxBacklog) {
  /** Deferred mode: what committed since the last flush, across every request of this isolate. */
  const committed: string[] = []
  /** Immediate relays still publishing (a graceful stop waits for them). */
  const publishing = new Set<Promise<unknown>>()

  function publishNow(changeset: Changeset): void {
    const running = relay!
      .relayCommitted(changeset.outbox)
      .catch((error) => console.error(`[herald] immediate relay failed; the sweep will retry: ${scrubText(String((error as Error).message ?? error))}`))
    publishing.add(running)
    void running.finally(() => publishing.delete(running))
  }

  return {
    onCommitted(changeset: Changeset): void {
      backlog?.added(changeset.outbox.length)
      if (!relay) return
      if (mode === 'deferred') committed.push(...changeset.outbox.map((m) => m.id))
      else publishNow(changeset)
    },
    /** For a graceful stop: lets the immediate relays finish, then publishes what is still due once. */
    async drain(): Promise<void> {
      await Promise.allSettled([...publishing])
      if (relay) await relay.sweep()
    },
    /** Relays what deferred mode collected; the Worker calls this inside `waitUntil`. */
    async flush(): Promise<void> {
      const ids = committed.splice(0)
      if (relay && ids.length > 0) await relay.relay(ids)
    },
  }
}
