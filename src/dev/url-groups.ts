/**
 * URL groups (QStash's former "topics"): named endpoint lists a publish fans out to, one message
 * per endpoint. They live only in the store (publish reads them inside the write lane), so these
 * changes need no in-memory bookkeeping.
 */
import { type Endpoint, HttpError, type UrlGroupRecord } from './model.ts'
import { type Store, sql } from './store.ts'

export function upsertEndpoints(store: Store, name: string, endpoints: Endpoint[], now = Date.now()): Promise<void> {
  return store.exclusive(async () => {
    const group: UrlGroupRecord = (await store.getUrlGroup(name)) ?? { name, createdAt: now, updatedAt: now, endpoints: [] }
    for (const endpoint of endpoints) {
      // Same URL (or same name) replaces the endpoint: adding is idempotent.
      const index = group.endpoints.findIndex((known) => known.url === endpoint.url || (endpoint.name !== undefined && known.name === endpoint.name))
      if (index >= 0) group.endpoints[index] = endpoint
      else group.endpoints.push(endpoint)
    }
    group.updatedAt = now
    await store.commit([sql.upsertUrlGroup(group)])
  })
}

/** Removes the endpoints matching any given name or URL. */
export function removeEndpoints(store: Store, name: string, endpoints: Partial<Endpoint>[], now = Date.now()): Promise<void> {
  return store.exclusive(async () => {
    const group = await store.getUrlGroup(name)
    if (!group) throw new HttpError(404, `topic ${name} not found`)
    const gone = (known: Endpoint) =>
      endpoints.some((removed) => (removed.url !== undefined && removed.url === known.url) || (removed.name !== undefined && removed.name === known.name))
    group.endpoints = group.endpoints.filter((known) => !gone(known))
    group.updatedAt = now
    await store.commit([sql.upsertUrlGroup(group)])
  })
}

export function deleteUrlGroup(store: Store, name: string): Promise<void> {
  return store.exclusive(async () => {
    if (!(await store.getUrlGroup(name))) throw new HttpError(404, `topic ${name} not found`)
    await store.commit([sql.deleteUrlGroup(name)])
  })
}
