import type { OpenAPIHono } from '@hono/zod-openapi'
import type { Env } from 'hono'
import type { Client } from '@upstash/qstash'
import type { Consent } from '../messaging/webhook-handshake.ts'
import type { OutboxRelay } from '../outbox/relay.ts'
import type { ReconcileReport } from '../reconcile.ts'
import type { Database } from '../store/database.ts'
import { registerDeadLetterRoutes } from './admin/dead-letters.ts'
import { registerOutboxRoutes } from '../outbox/admin-routes.ts'
import { registerReconcileRoute } from './admin/reconcile.ts'
import { registerSubscriptionRoutes } from './admin/subscriptions.ts'
import { requireAdmin } from './require-admin.ts'

export { Subscription } from './admin/subscriptions.ts'

/** Operator routes behind `Authorization: Bearer $ADMIN_TOKEN`. */
export function registerAdminRoutes<E extends Env>(
  app: OpenAPIHono<E>,
  deps: {
    adminToken: string | undefined
    database: Database
    relay: OutboxRelay | undefined
    qstash: Client | undefined
    reconcile: (options: { repair?: boolean }) => Promise<ReconcileReport>
    /** Asks an external endpoint whether it wants the events (the CloudEvents webhook handshake). */
    consent?: (url: string) => Promise<Consent>
  },
): void {
  const { adminToken, database, relay, qstash } = deps
  app.openAPIRegistry.registerComponent('securitySchemes', 'adminToken', { type: 'http', scheme: 'bearer', description: '`ADMIN_TOKEN`' })
  app.use('/admin/*', requireAdmin(adminToken))
  registerOutboxRoutes(app, { database, relay })
  registerReconcileRoute(app, deps.reconcile)
  registerDeadLetterRoutes(app, qstash)
  registerSubscriptionRoutes(app, qstash, deps.consent)
}
