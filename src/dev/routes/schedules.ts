/**
 * Schedules as the SDK's `client.schedules` calls them:
 * - `POST /v2/schedules/{destination}` with `Upstash-Cron` (and optionally `Upstash-Schedule-Id`
 *   to replace one, `Upstash-Queue-Name`, and every publish option header) → `{ scheduleId }`
 * - `GET /v2/schedules`, `GET|DELETE /v2/schedules/{id}`, `PATCH /v2/schedules/{id}/pause|resume`
 */
import type { Context, Hono } from 'hono'
import { HttpError } from '../model.ts'
import { schedulePayload } from '../payloads.ts'
import { GROUP_NAME, parseDestination, parsePublishOptions } from '../publish-options.ts'
import type { RouteDeps } from './deps.ts'
import { callerIp, pathRest } from './publish.ts'

export function scheduleRoutes(app: Hono, { schedules }: RouteDeps): void {
  const setPaused = (paused: boolean) => async (c: Context) => {
    await schedules.setPaused(c.req.param('id') ?? '', paused)
    return c.body(null, 200)
  }
  // PATCH is what the SDK sends; POST too, for curl (registered before the create route).
  for (const method of ['patch', 'post'] as const) {
    app[method]('/v2/schedules/:id/pause', setPaused(true))
    app[method]('/v2/schedules/:id/resume', setPaused(false))
  }

  app.post('/v2/schedules/*', async (c) => {
    const headers = c.req.raw.headers
    const cron = headers.get('upstash-cron')
    if (cron === null || cron.trim() === '') throw new HttpError(400, 'Upstash-Cron header is required')
    const scheduleId = headers.get('upstash-schedule-id') ?? undefined
    if (scheduleId !== undefined && !GROUP_NAME.test(scheduleId)) throw new HttpError(400, `invalid Upstash-Schedule-Id: ${scheduleId}`)
    const queueName = headers.get('upstash-queue-name') ?? undefined
    if (queueName !== undefined && !GROUP_NAME.test(queueName)) throw new HttpError(400, `invalid Upstash-Queue-Name: ${queueName}`)
    const id = await schedules.upsert({
      scheduleId,
      cron,
      destination: parseDestination(pathRest(c.req.url, '/v2/schedules/')),
      queueName,
      options: parsePublishOptions(headers),
      body: new Uint8Array(await c.req.arrayBuffer()),
      callerIp: callerIp(c),
    })
    return c.json({ scheduleId: id })
  })

  app.get('/v2/schedules', (c) => c.json(schedules.list().map(schedulePayload)))

  app.get('/v2/schedules/:id', (c) => {
    const schedule = schedules.get(c.req.param('id'))
    if (!schedule) throw new HttpError(404, `schedule ${c.req.param('id')} not found`)
    return c.json(schedulePayload(schedule))
  })

  app.delete('/v2/schedules/:id', async (c) => {
    await schedules.delete(c.req.param('id'))
    return c.body(null, 200)
  })
}
