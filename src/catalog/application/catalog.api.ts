import type { CatalogStore } from '../infrastructure/catalog.store.ts'

/** Demo products so a new user can place an order straight away. */
export const seedProducts = [
  { id: 'mug', name: 'Herald mug', price: 12.5, stock: 1000 },
  { id: 'tee', name: 'Herald tee', price: 20, stock: 1000 },
  { id: 'hoodie', name: 'Herald hoodie', price: 45, stock: 500 },
  { id: 'sticker', name: 'Herald sticker pack', price: 4, stock: 10000 },
  { id: 'keyboard', name: 'Mechanical keyboard', price: 3100, stock: 50 },
  { id: 'limited-print', name: 'Signed limited print', price: 250, stock: 3 },
]

/** What the Catalog context offers its routes and the service. */
export function catalogApi(store: CatalogStore) {
  return {
    items: () => store.items(),
    seed: () => store.seed(seedProducts),
  }
}

export type Catalog = ReturnType<typeof catalogApi>
