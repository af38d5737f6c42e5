import type { Client } from '@upstash/qstash'
import { type ContractRegistry, eventType, type Subscriber, subscriberPath } from '../../kernel/index.ts'

export interface UrlGroupPlan {
  readonly urlGroup: string
  readonly endpoints: readonly { readonly name: string; readonly url: string }[]
  /** A subscriber asked for this event type in order per subject. */
  readonly ordered: boolean
}

/**
 * One URL group per event type and version; each subscribing context is an endpoint of every
 * still-registered version of the events it handles.
 */
export function planUrlGroups(subscribers: readonly Subscriber[], contracts: ContractRegistry, publicUrl: string): UrlGroupPlan[] {
  const plan = new Map<string, { endpoints: { name: string; url: string }[]; ordered: boolean }>()
  for (const subscriber of subscribers) {
    for (const { source, name, ordered } of subscriber.subscriptions()) {
      for (const contract of contracts.all().filter((c) => c.source === source && c.name === name)) {
        const group = plan.get(eventType(contract)) ?? { endpoints: [], ordered: false }
        group.endpoints.push({ name: subscriber.context, url: `${publicUrl}${subscriberPath(subscriber.context)}` })
        group.ordered ||= ordered
        plan.set(eventType(contract), group)
      }
    }
  }
  return [...plan].map(([urlGroup, group]) => ({ urlGroup, ...group })).sort((a, b) => a.urlGroup.localeCompare(b.urlGroup))
}

/**
 * Makes QStash's URL groups match the plan. Idempotent: adding an existing endpoint is a no-op,
 * and only our own stale endpoints (under `${publicUrl}/subscribers/`) are removed, never
 * external webhooks added through the admin API.
 */
export async function syncUrlGroups(client: Client, plan: readonly UrlGroupPlan[], publicUrl: string): Promise<void> {
  const ours = `${publicUrl}/subscribers/`
  for (const { urlGroup, endpoints } of plan) await client.urlGroups.addEndpoints({ name: urlGroup, endpoints: [...endpoints] })
  const wanted = new Set(plan.flatMap((p) => p.endpoints.map((e) => `${p.urlGroup} ${e.url}`)))
  for (const group of await client.urlGroups.list()) {
    const stale = group.endpoints.filter((e) => e.url.startsWith(ours) && !wanted.has(`${group.name} ${e.url}`))
    if (stale.length > 0) await client.urlGroups.removeEndpoints({ name: group.name, endpoints: stale.map((e) => ({ url: e.url })) })
  }
}
