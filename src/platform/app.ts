import { OpenAPIHono } from '@hono/zod-openapi'
import { bodyLimit } from 'hono/body-limit'
import { registerDocRoutes } from '../../routes/docs.ts'
import { registerEventRoutes } from '../../routes/events.ts'
import { registerOrderRoutes } from '../../routes/orders.ts'
import { registerSystemRoutes } from '../../routes/system.ts'
import type { RouteEnv } from '../../routes/support/context.ts'
import { invalidRequest, notFound, onError, problem } from '../../routes/support/problem.ts'
import { requireJson } from '../../routes/support/require-json.ts'
import { CommandRunner, Dispatcher, type HandlerContext } from '../kernel/index.ts'
import { createOrdering } from '../ordering/index.ts'
import { type HeraldConfig, loadConfig } from './config.ts'
import type { Database } from './store/database.ts'
import { eventStoreReader } from './store/event-store.ts'
import { sqlIdempotencyStore } from './store/idempotency-store.ts'
import { sqlJournal } from './store/journal.ts'

export interface HeraldOptions {
  readonly database: Database
  readonly config?: Partial<HeraldConfig>
  /** ISO-8601 clock; tests inject a fixed or stepping one. */
  readonly clock?: () => string
  readonly newId?: () => string
  /** Handler cascade depth limit (default 8). */
  readonly maxDepth?: number
}

/**
 * The composition root: one Hono app, the shared dispatcher and command runner, and every
 * bounded context wired to them. Runtime entries (Bun, Worker, Deno) only add I/O around it.
 */
export function createHerald(options: HeraldOptions) {
  const config: HeraldConfig = { ...loadConfig({}), ...options.config }
  const clock = options.clock ?? (() => new Date().toISOString())
  const newId = options.newId ?? (() => crypto.randomUUID())
  const { database } = options

  const dispatcher = new Dispatcher<any, HandlerContext>()
  const runner = new CommandRunner({
    dispatcher,
    committer: database.committer,
    journal: sqlJournal,
    clock,
    newId,
    ...(options.maxDepth === undefined ? {} : { maxDepth: options.maxDepth }),
  })
  const ordering = createOrdering({ database, runner, dispatcher, idempotency: sqlIdempotencyStore(database) })
  const events = eventStoreReader(database)

  const app = new OpenAPIHono<RouteEnv>({
    defaultHook: (result, c) => (result.success ? undefined : invalidRequest(c, result.error, result.target)),
  })
  app.onError(onError)
  app.notFound(notFound)
  app.use('*', async (c, next) => {
    c.set('clock', clock)
    c.set('newId', newId)
    await next()
  })
  app.use(
    '*',
    bodyLimit({
      maxSize: config.maxBodyBytes,
      onError: (c) =>
        problem(c, {
          title: 'Payload too large',
          status: 413,
          code: 'REQUEST.TOO_LARGE',
          detail: `Bodies are limited to ${config.maxBodyBytes} bytes`,
        }),
    }),
  )
  app.on('POST', '/orders', requireJson)

  registerSystemRoutes(app, database)
  registerOrderRoutes(app, ordering)
  registerEventRoutes(app, events, ordering)
  registerDocRoutes(app)

  return { app, config, dispatcher, runner, ordering, events, clock, newId }
}

export type Herald = ReturnType<typeof createHerald>
