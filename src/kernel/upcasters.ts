/** Turns the data of one schema version into the next version's shape. Pure. */
export type Upcaster = (data: any) => unknown

/**
 * Upcaster chains for stored domain events, kept beside each event. The event store keeps every
 * row's schema version and upcasts on read, so old rows still load and replay after a shape
 * changes; aggregates record new events at the latest version.
 *
 * @example
 * const upcasters = new EventUpcasters()
 *   .register('BuyerRegistered', 1, (v1) => ({ ...v1, channel: 'unknown' }))  // v1 → v2
 * upcasters.upcast({ type: 'BuyerRegistered', schemaVersion: 1, data: { buyerId: 'b' } })
 * // → { type: 'BuyerRegistered', schemaVersion: 2, data: { buyerId: 'b', channel: 'unknown' } }
 */
export class EventUpcasters {
  readonly #chains = new Map<string, Map<number, Upcaster>>()

  register(type: string, fromVersion: number, upcast: Upcaster): this {
    const chain = this.#chains.get(type) ?? new Map<number, Upcaster>()
    if (chain.has(fromVersion)) throw new Error(`${type} already has an upcaster from v${fromVersion}`)
    this.#chains.set(type, chain.set(fromVersion, upcast))
    return this
  }

  /** Merges another context's chains (each context keeps its own beside its events). */
  include(other: EventUpcasters): this {
    for (const [type, chain] of other.#chains) for (const [from, upcast] of chain) this.register(type, from, upcast)
    return this
  }

  /** The version new events of `type` are recorded at. */
  latestVersion(type: string): number {
    const chain = this.#chains.get(type)
    return chain ? Math.max(...chain.keys()) + 1 : 1
  }

  upcast<E extends { readonly type: string; readonly schemaVersion: number; readonly data: unknown }>(event: E): E {
    const chain = this.#chains.get(event.type)
    if (!chain) return event
    let { schemaVersion, data } = event
    for (let step = chain.get(schemaVersion); step; step = chain.get(schemaVersion)) {
      data = step(data)
      schemaVersion += 1
    }
    return schemaVersion === event.schemaVersion ? event : { ...event, schemaVersion, data }
  }
}
