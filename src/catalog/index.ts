// Catalog's public API: the context module and the type of its commands and queries.
export type { Catalog } from './application/catalog.api.ts'
export { catalog } from './catalog.ts'
