import type { Statement } from '../../kernel/index.ts'
import { type Database, expectChangedRow, parameters } from '../../platform/store/database.ts'

export interface CatalogItem {
  readonly id: string
  readonly name: string
  readonly price: number
  readonly stock: number
  readonly reserved: number
  readonly available: number
}

export interface Reservation {
  readonly productId: string
  readonly units: number
}

/** Catalog's progress with one order; `undefined` before it has reserved or closed anything. */
export type OrderStanding = 'reserved' | 'closed' | undefined

/** Catalog's own tables. Stock moves are guarded so a stale read aborts the batch. */
export function catalogStore({ client }: Database) {
  return {
    async items(ids?: readonly string[]): Promise<CatalogItem[]> {
      const where = ids ? `WHERE id IN (${parameters(ids)})` : ''
      const { rows } = await client.execute({
        sql: `SELECT id, name, price_cents, stock, reserved FROM catalog_items ${where} ORDER BY id`,
        args: ids ? [...ids] : [],
      })
      return rows.map((r) => ({
        id: String(r.id),
        name: String(r.name),
        price: Number(r.price_cents) / 100,
        stock: Number(r.stock),
        reserved: Number(r.reserved),
        available: Number(r.stock) - Number(r.reserved),
      }))
    },

    async reservationsOf(orderId: string): Promise<Reservation[]> {
      const { rows } = await client.execute({
        sql: 'SELECT product_id, units FROM catalog_reservations WHERE order_id = ? ORDER BY product_id',
        args: [orderId],
      })
      return rows.map((r) => ({ productId: String(r.product_id), units: Number(r.units) }))
    },

    async standingOf(orderId: string): Promise<OrderStanding> {
      const { rows } = await client.execute({ sql: 'SELECT state FROM catalog_orders WHERE order_id = ?', args: [orderId] })
      return rows[0] ? (String(rows[0].state) as OrderStanding) : undefined
    },

    /**
     * Catalog now holds stock for the order. A plain INSERT: if a cancellation closed the order
     * since `standingOf` was read, the batch aborts and the delivery re-runs on fresh state.
     */
    opened(orderId: string): Statement {
      return { sql: "INSERT INTO catalog_orders (order_id, state) VALUES (?, 'reserved')", args: [orderId] }
    },

    /** The order was cancelled or paid, moving from the standing read before (guarded the same way). */
    closed(orderId: string, from: OrderStanding): Statement[] {
      return from === undefined
        ? [{ sql: "INSERT INTO catalog_orders (order_id, state) VALUES (?, 'closed')", args: [orderId] }]
        : [{ sql: "UPDATE catalog_orders SET state = 'closed' WHERE order_id = ? AND state = ?", args: [orderId, from] }, expectChangedRow]
    },

    reserve(orderId: string, { productId, units }: Reservation): Statement[] {
      return [
        {
          sql: 'UPDATE catalog_items SET reserved = reserved + ? WHERE id = ? AND stock - reserved >= ?',
          args: [units, productId, units],
        },
        expectChangedRow,
        { sql: 'INSERT INTO catalog_reservations (order_id, product_id, units) VALUES (?, ?, ?)', args: [orderId, productId, units] },
      ]
    },

    /** Paid: the reserved units leave the warehouse. */
    remove(orderId: string, { productId, units }: Reservation): Statement[] {
      return [
        { sql: 'UPDATE catalog_items SET stock = stock - ?, reserved = reserved - ? WHERE id = ?', args: [units, units, productId] },
        expectChangedRow,
        { sql: 'DELETE FROM catalog_reservations WHERE order_id = ? AND product_id = ?', args: [orderId, productId] },
        expectChangedRow,
      ]
    },

    /** Cancelled: the reservation goes back on the shelf. */
    release(orderId: string, { productId, units }: Reservation): Statement[] {
      return [
        { sql: 'UPDATE catalog_items SET reserved = reserved - ? WHERE id = ?', args: [units, productId] },
        expectChangedRow,
        { sql: 'DELETE FROM catalog_reservations WHERE order_id = ? AND product_id = ?', args: [orderId, productId] },
        expectChangedRow,
      ]
    },

    /** Seeds the demo products once; later starts leave stock alone. */
    async seed(products: readonly { id: string; name: string; price: number; stock: number }[]): Promise<void> {
      await client.batch(
        products.map((p) => ({
          sql: 'INSERT OR IGNORE INTO catalog_items (id, name, price_cents, stock, reserved) VALUES (?, ?, ?, ?, 0)',
          args: [p.id, p.name, Math.round(p.price * 100), p.stock],
        })),
        'write',
      )
    },
  }
}

export type CatalogStore = ReturnType<typeof catalogStore>
