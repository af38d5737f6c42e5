/**
 * Figure 9's baseline: the Worker a user would write without Herald — Hono and Turso over HTTP
 * (@libsql/client/web) on the same bindings, GET /health asking the database, nothing else.
 */
import { createClient } from '@libsql/client/web'
import { Hono } from 'hono'

interface Env {
  readonly DATABASE_URL: string
  readonly DATABASE_AUTH_TOKEN?: string
}

const app = new Hono<{ Bindings: Env }>()
app.get('/health', async (c) => {
  const client = createClient({ url: c.env.DATABASE_URL, ...(c.env.DATABASE_AUTH_TOKEN ? { authToken: c.env.DATABASE_AUTH_TOKEN } : {}) })
  await client.execute('SELECT 1')
  return c.json({ status: 'ok' })
})

export default app
