import { createClient } from '@libsql/client'
import { drizzle } from 'drizzle-orm/libsql'
import { Hono } from 'hono'
import * as schema from '../harness/schema.ts'
import { StartOrderBody } from '../../routes/ordering/orders.schemas.ts'
import { fromClient } from '../../src/platform/store/database.ts'
import { migrateReferenceDatabase as migrateDatabase } from '../../src/service/app.ts'
import type { ServerSpec } from '../harness/process.ts'
import type { ServerUnderTest } from './server.ts'

/**
 * What a user writes without Herald: a plain Hono route, the body checked with the same zod
 * schema, and drizzle inserting the same order and buyer rows (same tables, same indexes, same
 * JSON state column) in ONE atomic batch. No events, no outbox, no idempotency, no OpenAPI.
 * The file gets the same migrations (and WAL) as Herald's, through the same helper.
 */
export async function openBareDatabase(dbPath: string) {
  const client = createClient({ url: `file:${dbPath}`, timeout: 5000 })
  await migrateDatabase(fromClient(client))
  return { client, db: drizzle(client, { schema }) }
}

const cents = (dollars: number) => Math.round(dollars * 100)

/** Order + buyer rows for a validated body, shaped like Herald's (state JSON included). */
export function bareOrderRows(body: StartOrderBody, orderId: string, now: string) {
  const items = body.items.map((i) => ({ ...i, unitPrice: cents(i.unitPrice), discount: cents(i.discount ?? 0) }))
  const subtotal = items.reduce((sum, i) => sum + i.unitPrice * i.units - i.discount, 0)
  const { number, securityNumber: _never_stored, ...card } = body.card
  const paymentMethod = { ...card, last4: number.slice(-4), id: crypto.randomUUID(), alias: `card ****${number.slice(-4)}` }
  const state = {
    id: orderId,
    status: 'submitted',
    buyer: body.buyer,
    buyerId: body.buyer.id,
    paymentMethodId: paymentMethod.id,
    address: body.address,
    card: { ...card, last4: number.slice(-4) },
    items,
    subtotal,
    discount: 0,
    total: subtotal,
    startedAt: now,
  }
  const buyerState = { ...body.buyer, channel: 'api', paymentMethods: [paymentMethod], lifetimeSpend: 0, loyaltyDiscountPercent: 0 }
  return {
    order: { id: orderId, buyerId: body.buyer.id, status: 'submitted', total: subtotal, version: 1, state: JSON.stringify(state), startedAt: now },
    buyer: { id: body.buyer.id, version: 1, state: JSON.stringify(buyerState) },
  }
}

/** What a user writes without Herald: the order and buyer rows in one transaction, no events. */
export async function commitBareOrder(db: Awaited<ReturnType<typeof openBareDatabase>>['db'], body: StartOrderBody): Promise<string> {
  const orderId = crypto.randomUUID()
  const rows = bareOrderRows(body, orderId, new Date().toISOString())
  await db.batch([db.insert(schema.orders).values(rows.order), db.insert(schema.buyers).values(rows.buyer).onConflictDoNothing()])
  return orderId
}

export async function bareOrdersServer(spec: Extract<ServerSpec, { kind: 'bare-orders' }>): Promise<ServerUnderTest> {
  const { client, db } = await openBareDatabase(spec.dbPath)
  return { fetch: bareOrdersApp(db).fetch, close: () => client.close() }
}

export function bareOrdersApp(db: Awaited<ReturnType<typeof openBareDatabase>>['db']): Hono {
  const app = new Hono()
  app.post('/orders', async (c) => {
    const parsed = StartOrderBody.safeParse(await c.req.json())
    if (!parsed.success) return c.json({ error: parsed.error.issues }, 400)
    const orderId = await commitBareOrder(db, parsed.data)
    c.header('Location', `/orders/${orderId}`)
    return c.json({ orderId, status: 'submitted' }, 201)
  })
  return app
}

/** A bare webhook: parse the JSON body and insert one row (no signature, no inbox, no schema). */
export async function bareIngestServer(spec: Extract<ServerSpec, { kind: 'bare-ingest' }>): Promise<ServerUnderTest> {
  const { client, db } = await openBareDatabase(spec.dbPath)
  return { fetch: bareIngestApp(db).fetch, close: () => client.close() }
}

export function bareIngestApp(db: Awaited<ReturnType<typeof openBareDatabase>>['db']): Hono {
  const app = new Hono()
  app.post('/subscribers/:context', async (c) => {
    const event = (await c.req.json()) as { id: string; data: { buyerId: string; name: string; email: string } }
    await db.insert(schema.mailbox).values({
      id: event.id,
      buyerId: event.data.buyerId,
      recipient: event.data.email,
      kind: 'welcome',
      subject: `Welcome, ${event.data.name}`,
      body: 'Thanks for your first order.',
      eventId: event.id,
      createdAt: new Date().toISOString(),
    })
    return c.json({ status: 'processed' }, 200)
  })
  return app
}
