import { sql } from 'drizzle-orm'
import { check, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core'

/** Products with stock. `reserved` is held for orders awaiting payment; never above `stock`. */
export const catalogItems = sqliteTable(
  'catalog_items',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    priceCents: integer('price_cents').notNull(),
    stock: integer('stock').notNull(),
    reserved: integer('reserved').notNull().default(0),
  },
  (t) => [check('catalog_items_stock', sql`${t.reserved} >= 0 AND ${t.reserved} <= ${t.stock}`)],
)

export const catalogReservations = sqliteTable(
  'catalog_reservations',
  {
    orderId: text('order_id').notNull(),
    productId: text('product_id').notNull(),
    units: integer('units').notNull(),
  },
  (t) => [primaryKey({ columns: [t.orderId, t.productId] })],
)
