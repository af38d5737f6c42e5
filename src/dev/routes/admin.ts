/**
 * URL groups (`/v2/topics…`, what the SDK's `urlGroups` calls), queues (`/v2/queues…`) and the
 * signing keys (`GET /v2/keys`, which the SDK also uses to detect a running dev server).
 */
import type { Context, Hono } from 'hono'
import { type Endpoint, HttpError } from '../model.ts'
import { queuePayload, urlGroupPayload } from '../payloads.ts'
import { assertHttpUrl, GROUP_NAME } from '../publish-options.ts'
import { deleteUrlGroup, removeEndpoints, upsertEndpoints } from '../url-groups.ts'
import type { RouteDeps } from './deps.ts'

export function adminRoutes(app: Hono, deps: RouteDeps): void {
  const { engine, store } = deps

  app.get('/v2/keys', (c) => c.json({ current: deps.currentSigningKey, next: deps.nextSigningKey }))

  // ---- URL groups ----

  app.post('/v2/topics/:name/endpoints', async (c) => {
    const endpoints = await endpointsBody(c, true)
    await upsertEndpoints(store, groupName(c), endpoints as Endpoint[])
    return c.body(null, 200)
  })

  app.delete('/v2/topics/:name/endpoints', async (c) => {
    await removeEndpoints(store, groupName(c), await endpointsBody(c, false))
    return c.body(null, 200)
  })

  app.get('/v2/topics', async (c) => c.json((await store.listUrlGroups()).map(urlGroupPayload)))

  app.get('/v2/topics/:name', async (c) => {
    const group = await store.getUrlGroup(groupName(c))
    if (!group) throw new HttpError(404, `topic ${c.req.param('name')} not found`)
    return c.json(urlGroupPayload(group))
  })

  app.delete('/v2/topics/:name', async (c) => {
    await deleteUrlGroup(store, groupName(c))
    return c.body(null, 200)
  })

  // ---- queues ----

  app.post('/v2/queues', async (c) => {
    const body = (await c.req.json().catch(() => null)) as {
      queueName?: unknown
      parallelism?: unknown
      paused?: unknown
    } | null
    if (!body || typeof body.queueName !== 'string' || !GROUP_NAME.test(body.queueName)) {
      throw new HttpError(400, 'queueName is required')
    }
    const parallelism = body.parallelism === undefined ? undefined : Number(body.parallelism)
    if (parallelism !== undefined && (!Number.isInteger(parallelism) || parallelism < 1)) {
      throw new HttpError(400, 'parallelism must be a positive integer')
    }
    await engine.upsertQueue(body.queueName, { parallelism, paused: body.paused === true })
    return c.body(null, 200)
  })

  app.get('/v2/queues', (c) => c.json(engine.listQueues().map(queuePayload)))

  app.get('/v2/queues/:name', (c) => {
    const queue = engine.listQueues().find((known) => known.name === c.req.param('name'))
    if (!queue) throw new HttpError(404, `queue ${c.req.param('name')} not found`)
    return c.json(queuePayload(queue))
  })

  app.delete('/v2/queues/:name', async (c) => {
    await engine.deleteQueue(c.req.param('name'))
    return c.body(null, 200)
  })

  app.post('/v2/queues/:name/pause', async (c) => {
    await engine.upsertQueue(c.req.param('name'), { paused: true }, true)
    return c.body(null, 200)
  })

  app.post('/v2/queues/:name/resume', async (c) => {
    await engine.upsertQueue(c.req.param('name'), { paused: false }, true)
    return c.body(null, 200)
  })
}

function groupName(c: Context): string {
  const name = c.req.param('name') ?? ''
  if (!GROUP_NAME.test(name)) throw new HttpError(400, `invalid url group name: ${name}`)
  return name
}

async function endpointsBody(c: Context, urlRequired: boolean): Promise<Partial<Endpoint>[]> {
  const body = (await c.req.json().catch(() => null)) as { endpoints?: unknown } | null
  if (!body || !Array.isArray(body.endpoints)) throw new HttpError(400, 'body must be { endpoints: [...] }')
  return body.endpoints.map((raw: unknown) => {
    const endpoint = raw as { name?: unknown; url?: unknown } | null
    const name = typeof endpoint?.name === 'string' && endpoint.name !== '' ? endpoint.name : undefined
    const url = typeof endpoint?.url === 'string' && endpoint.url !== '' ? endpoint.url : undefined
    if (url !== undefined) assertHttpUrl(url, 'endpoint')
    if (urlRequired ? url === undefined : url === undefined && name === undefined) {
      throw new HttpError(400, urlRequired ? 'every endpoint needs a url' : 'every endpoint needs a name or a url')
    }
    return name === undefined ? { url } : { name, url }
  })
}
