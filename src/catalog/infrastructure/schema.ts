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

/**
 * Where Catalog stands with each order it has touched: `reserved` once it holds stock for it,
 * `closed` once the order was cancelled or paid. Reserving and closing both write this row (a
 * plain INSERT the first time), so an order's reservation and its cancellation, handled at the
 * same moment, cannot both commit on what they read: the later one retries on fresh state.
 */
export const catalogOrders = sqliteTable(
  'catalog_orders',
  {
    orderId: text('order_id').primaryKey(),
    state: text('state', { enum: ['reserved', 'closed'] }).notNull(),
  },
  (t) => [check('catalog_orders_state', sql`${t.state} IN ('reserved', 'closed')`)],
)
