/**
 * Flow control as the SDK's `client.flowControl` calls it: `GET /v2/flowControl` (all keys),
 * `GET /v2/flowControl/{key}`, `POST …/{key}/pause|resume|resetRate`, and `GET /v2/globalParallelism`
 * (the broker's concurrency limit and attempts in flight). Pin/unpin are not implemented (404).
 */
import type { Hono } from 'hono'
import { HttpError } from '../model.ts'
import type { RouteDeps } from './deps.ts'

export function flowControlRoutes(app: Hono, { engine }: RouteDeps): void {
  app.get('/v2/flowControl', (c) => c.json(engine.flowControls()))

  app.get('/v2/flowControl/:key', (c) => {
    const info = engine.flowControl(c.req.param('key'))
    if (!info) throw new HttpError(404, `flow control key ${c.req.param('key')} not found`)
    return c.json(info)
  })

  app.post('/v2/flowControl/:key/pause', async (c) => {
    await engine.pauseFlowControl(c.req.param('key'), true)
    return c.body(null, 200)
  })

  app.post('/v2/flowControl/:key/resume', async (c) => {
    await engine.pauseFlowControl(c.req.param('key'), false)
    return c.body(null, 200)
  })

  app.post('/v2/flowControl/:key/resetRate', (c) => {
    engine.resetFlowControlRate(c.req.param('key'))
    return c.body(null, 200)
  })

  app.get('/v2/globalParallelism', (c) => c.json(engine.globalParallelism()))
}
