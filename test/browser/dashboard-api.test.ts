import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { DASHBOARD_JS } from '../../src/platform/hono/dashboard/assets/client.bundle.ts'
import { DASHBOARD_CSS } from '../../src/platform/hono/dashboard/assets/styles.ts'
import { BuyerRegisteredV2 } from '../../src/contracts/index.ts'
import type { IntegrationEvent } from '../../src/kernel/index.ts'
import { delivered } from '../support/deliveries.ts'
import { toStructuredCloudEvent } from '../../src/platform/messaging/cloud-events.ts'
import { buildTimeline, type LoggedDelivery, type ServiceView, type Timeline, type TimelineNode } from '../../src/platform/observability/index.ts'
import { type Stack, startStack } from '../support/stack.ts'
import { waitFor } from '../support/wait-for.ts'

/*
 * The dashboard's server side without a browser: the delivery recorder on the real delivery
 * routes, the timeline JSON, the outbox JSON and the Server-Sent Events stream, over real HTTP
 * with the local broker (test/support/stack.ts).
 */

let stack: Stack
beforeAll(async () => {
  stack = await startStack({ gracePeriodMs: 0, retries: 1 })
})
afterAll(async () => stack?.stop())

const deliveries = (limit = 200) => stack.json<LoggedDelivery[]>(`/dashboard/api/deliveries?limit=${limit}`)

const buyerRegistered = (data: Record<string, unknown>, id = crypto.randomUUID()): IntegrationEvent =>
  delivered(BuyerRegisteredV2, id, 'zoe', data, { time: '2026-01-01T00:00:00.000Z', correlationId: 'corr-zoe', causationId: 'cause-zoe' })

function walk(nodes: readonly TimelineNode[], visit: (node: TimelineNode, path: TimelineNode[]) => void, path: TimelineNode[] = []): void {
  for (const node of nodes) {
    visit(node, path)
    walk(node.children, visit, [...path, node])
  }
}

describe('the browser assets', () => {
  it('ships a script that parses and a stylesheet that is plain ASCII', () => {
    expect(() => new Function(DASHBOARD_JS)).not.toThrow()
    // Some transpilers turn non-ASCII in template literals into \u escapes, which CSS does not read.
    expect([...DASHBOARD_CSS].every((ch) => ch.charCodeAt(0) < 0x80)).toBe(true)
  })

  it('serves the page with a strict Content-Security-Policy and its assets from this origin', async () => {
    const page = await fetch(`${stack.publicUrl}/`)
    expect(page.status).toBe(200)
    expect(page.headers.get('Content-Security-Policy')).toContain("script-src 'self'")
    const html = await page.text()
    expect(html).toContain('/dashboard/assets/dashboard.js')
    expect(html).not.toMatch(/<script>|<style>| on[a-z]+=/i) // nothing inline
    const script = await fetch(`${stack.publicUrl}/dashboard/assets/dashboard.js`)
    expect(script.headers.get('Content-Type')).toContain('text/javascript')
  })
})

describe('the delivery log', () => {
  it('records each verified delivery with its message id, retry number, CloudEvent and status, and no unsigned one', async () => {
    const before = (await deliveries()).length
    const event = buyerRegistered({ buyerId: 'zoe', name: 'Zoe', email: 'zoe@example.com', channel: 'web' })
    const url = `${stack.publicUrl}/subscribers/notifications`
    const body = toStructuredCloudEvent(event, stack.publicUrl)
    const { messageId } = (await stack.qstash.publish({ url, body, headers: { 'Content-Type': 'application/cloudevents+json' } })) as { messageId: string }
    const unsigned = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/cloudevents+json' }, body })
    expect(unsigned.status).toBe(401)

    const [row] = await waitFor(
      async () => {
        const rows = (await deliveries()).filter((d) => d.eventId === event.id)
        return rows.length ? rows : undefined
      },
      { what: 'the delivery to be logged' },
    )
    expect(row).toMatchObject({
      kind: 'subscriber',
      target: 'notifications',
      messageId,
      retried: 0,
      eventType: 'herald.ordering.BuyerRegistered.v2',
      subject: 'zoe',
      correlationId: 'corr-zoe',
      causationId: 'cause-zoe',
      status: 200,
      outcome: 'processed',
    })
    expect(row!.durationMs).toBeGreaterThanOrEqual(0)
    expect((await deliveries()).length).toBe(before + 1) // the 401 left no row
  })

  it('records every attempt of a refused delivery: the status, the retry number and the problem code', async () => {
    const retried = buyerRegistered({ buyerId: 'zoe' }) // invalid data: 489, no retries
    await stack.qstash.publish({
      url: `${stack.publicUrl}/subscribers/notifications`,
      body: toStructuredCloudEvent(retried, stack.publicUrl),
      headers: { 'Content-Type': 'application/cloudevents+json' },
    })
    const [row] = await waitFor(
      async () => {
        const rows = (await deliveries()).filter((d) => d.eventId === retried.id)
        return rows.length ? rows : undefined
      },
      { what: 'the refused delivery to be logged' },
    )
    expect(row).toMatchObject({ status: 489, retried: 0, outcome: 'CONTRACT.INVALID_DATA' })
  })
})

describe('the dead letters', () => {
  it("list the failed attempt's status, error code and a scrubbed excerpt of its response, and how often QStash tried", async () => {
    // An endpoint outside the service that refuses for good and quotes personal data in its answer.
    const endpoint = Bun.serve({
      port: 0,
      hostname: '127.0.0.1',
      fetch: () =>
        Response.json(
          { code: 'SHOP.REFUSED', detail: 'No mail to alice@example.com for card 4111 1111 1111 1111' },
          { status: 489, headers: { 'Upstash-NonRetryable-Error': 'true' } },
        ),
    })
    try {
      const { messageId } = (await stack.qstash.publish({ url: `http://127.0.0.1:${endpoint.port}/hook`, body: '{}', retries: 2 })) as { messageId: string }
      const entry = await waitFor(
        async () => ((await (await stack.admin('/admin/dead-letters')).json()) as Record<string, any>[]).find((d) => d.messageId === messageId),
        { what: 'the refused message in the DLQ' },
      )
      expect(entry).toMatchObject({ responseStatus: 489, responseCode: 'SHOP.REFUSED', maxRetries: 2 })
      expect(entry.responseExcerpt).toContain('No mail to [email] for card [card]')
      expect(JSON.stringify(entry)).not.toMatch(/alice@example\.com|4111 1111/)
      expect((await stack.admin(`/admin/dead-letters/${entry.dlqId}`, { method: 'DELETE' })).status).toBe(200)
    } finally {
      endpoint.stop(true)
    }
  })
})

/*
 * Rows for `buildTimeline`: one order `o-1` in conversation `c`; its `e-1` recorded the
 * integration event `i-1` (herald.ordering.Shipped.v1), which is delivered to a few targets.
 */
const instant = (ms: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, 0, ms)).toISOString()
const storedEvent = (e: {
  id: string
  type: string
  aggregateType?: string
  causationId: string | null
  position: number
  occurredAt: string
  commitId?: string
}) => ({
  position: e.position,
  id: e.id,
  type: e.type,
  aggregateType: e.aggregateType ?? 'Order',
  aggregateId: 'o-1',
  version: e.position,
  schemaVersion: 1,
  data: {},
  correlationId: 'c',
  causationId: e.causationId,
  occurredAt: e.occurredAt,
  ...(e.commitId ? { commitId: e.commitId } : {}),
})
const shippedRow = (createdAt: string, publishedAt: string, commitId?: string) => ({
  seq: 1,
  id: 'i-1',
  kind: 'integration' as const,
  topic: 'herald.ordering.Shipped.v1',
  status: 'published' as const,
  attempts: 1,
  notBefore: null,
  nextAttemptAt: createdAt,
  lastError: null,
  messageId: 'm',
  createdAt,
  publishedAt,
  payload: { id: 'i-1', version: 1, source: 'ordering', type: 'Shipped', subject: 'o-1', data: {}, time: createdAt, correlationId: 'c', causationId: 'e-1' },
  ...(commitId ? { commitId } : {}),
})
const shippedAttempt = (id: number, target: string, receivedAt: string, status = 200): LoggedDelivery => ({
  id,
  kind: 'subscriber',
  target,
  messageId: `m-${target}`,
  retried: 0,
  eventId: 'i-1',
  eventType: 'herald.ordering.Shipped.v1',
  subject: 'o-1',
  correlationId: 'c',
  causationId: 'e-1',
  status,
  outcome: status < 300 ? 'processed' : 'INTERNAL',
  durationMs: 1,
  receivedAt,
})

describe('the causation tree', () => {
  it('puts each reaction under the delivery whose commit made it (the inbox row shares its clock reading)', () => {
    const at = instant
    const event = (id: string, type: string, causationId: string | null, ms: number, position: number) =>
      storedEvent({ id, type, causationId, position, occurredAt: at(ms) })
    const attempt = (id: number, target: string, ms: number, status = 200) => shippedAttempt(id, target, at(ms), status)
    const timeline = buildTimeline(
      {
        subject: { kind: 'order', id: 'o-1', status: 'shipped', startedAt: at(0) },
        correlationIds: ['c'],
        events: [event('e-1', 'OrderShipped', null, 0, 1), event('e-2', 'Archived', 'i-1', 20, 2)],
        outbox: [shippedRow(at(0), at(1))],
        deliveries: [attempt(1, 'alpha', 10), attempt(2, 'beta', 19, 500), attempt(3, 'beta', 20)],
        inbox: [
          { eventId: 'i-1', subscriber: 'alpha:a', receivedAt: at(10) },
          { eventId: 'i-1', subscriber: 'beta:b', receivedAt: at(20) },
        ],
        reactions: [],
      },
      // The fallback mapping says Order belongs to alpha: the inbox must win.
      { aggregateContexts: { Order: 'alpha' }, expectedTargets: () => ['alpha', 'beta', 'gamma'] },
    )
    const shipped = timeline.roots[0]!.children[0]!
    const message = shipped.children[0]!
    expect(message.kind).toBe('integration')
    const byTarget = Object.fromEntries(message.children.map((d) => [d.kind === 'delivery' ? d.target : d.kind, d]))
    expect(Object.keys(byTarget)).toEqual(['alpha', 'beta', 'gamma'])
    expect(byTarget.beta!.children.map((c) => c.id)).toEqual(['e-2'])
    expect(byTarget.alpha!.children).toEqual([])
    expect(byTarget.gamma).toMatchObject({ state: 'waiting', attempts: [] })
    expect(byTarget.beta).toMatchObject({ state: 'delivered', handlers: ['b'] })
    expect(timeline.counts).toMatchObject({ deliveryAttempts: 3, failedAttempts: 1 })
  })
})

describe('the causation tree, exact', () => {
  it('links two contexts that handled one event in the same millisecond to their own deliveries, by commit id', () => {
    const at = instant(0) // one injected clock reading for everything
    const event = (id: string, aggregateType: string, causationId: string | null, position: number, commitId: string) =>
      storedEvent({ id, type: `${aggregateType}Touched`, aggregateType, causationId, position, occurredAt: at, commitId })
    const attempt = (id: number, target: string) => shippedAttempt(id, target, at)
    const timeline = buildTimeline(
      {
        subject: { kind: 'order', id: 'o-1', status: 'shipped', startedAt: at },
        correlationIds: ['c'],
        // Both reactions are owned by aggregates the fallback would put under "alpha": only the commit ids can tell them apart.
        events: [
          event('e-1', 'Order', null, 1, 'commit-0'),
          event('e-2', 'Parcel', 'i-1', 2, 'commit-alpha'),
          event('e-3', 'Invoice', 'i-1', 3, 'commit-beta'),
        ],
        outbox: [shippedRow(at, at, 'commit-0')],
        deliveries: [attempt(1, 'alpha'), attempt(2, 'beta')],
        inbox: [
          { eventId: 'i-1', subscriber: 'alpha:a', receivedAt: at, commitId: 'commit-alpha' },
          { eventId: 'i-1', subscriber: 'beta:b', receivedAt: at, commitId: 'commit-beta' },
        ],
        reactions: [{ id: 'mail-1', kind: 'shipped', label: 's', detail: 'mail to x', eventId: 'i-1', at, context: 'beta', commitId: 'commit-beta' }],
      },
      { aggregateContexts: { Order: 'ordering', Parcel: 'alpha', Invoice: 'alpha' } },
    )
    const message = timeline.roots[0]!.children[0]!.children[0]!
    const byTarget = Object.fromEntries(message.children.map((d) => [d.kind === 'delivery' ? d.target : d.kind, d]))
    expect(byTarget.alpha!.children.map((c) => c.id)).toEqual(['e-2'])
    expect(byTarget.beta!.children.map((c) => c.id).sort()).toEqual(['e-3', 'mail-1'])
  })
})

describe('the timeline API', () => {
  let orderId: string
  let timeline: Timeline

  beforeAll(async () => {
    orderId = await stack.placeOrder()
    await stack.orderReaches(orderId, 'paid')
    timeline = await waitFor(
      async () => {
        const t = await stack.json<Timeline>(`/dashboard/api/subjects/${orderId}/timeline`)
        return t.counts.reactions === 2 && t.counts.deliveryAttempts === 8 ? t : undefined
      },
      { what: 'the whole flow in the timeline' },
    )
  })

  it('draws the subject as a causation tree across contexts, from the command to the last reaction', () => {
    expect(timeline.subject).toEqual({
      kind: 'order',
      id: orderId,
      status: 'paid',
      owner: { label: 'buyer', id: 'alice' },
      facts: [{ label: 'total', value: '$40.00' }],
      startedAt: expect.any(String),
    })
    expect(timeline.counts).toEqual({ domainEvents: 8, integrationEvents: 6, jobs: 1, deliveryAttempts: 8, failedAttempts: 0, reactions: 2 })
    expect(timeline.roots.map((r) => r.kind)).toEqual(['command'])
    const paths: string[][] = []
    walk(timeline.roots, (node, path) => {
      if (node.kind === 'reaction') paths.push([...path, node].map(label))
    })
    expect(paths).toContainEqual([
      'command',
      'domain OrderStarted',
      'domain BuyerRegistered',
      'integration herald.ordering.BuyerRegistered.v2',
      'delivery notifications delivered',
      'reaction notifications welcome',
    ])
    const paid = paths.find((p) => p.at(-1) === 'reaction notifications order-paid')!
    expect(paid).toEqual([
      'command',
      'domain OrderStarted',
      'job OrderStarted',
      'delivery markAwaitingValidationWhenGracePeriodEnds delivered',
      'domain OrderStatusChangedToAwaitingValidation',
      'integration herald.ordering.OrderStatusChangedToAwaitingValidation.v1',
      'delivery catalog delivered',
      'integration herald.catalog.OrderStockConfirmed.v1',
      'delivery ordering delivered',
      'domain OrderStatusChangedToStockConfirmed',
      'integration herald.ordering.OrderStatusChangedToStockConfirmed.v1',
      'delivery payment delivered',
      'integration herald.payment.OrderPaymentSucceeded.v1',
      'delivery ordering delivered',
      'domain OrderStatusChangedToPaid',
      'integration herald.ordering.OrderStatusChangedToPaid.v1',
      'delivery notifications delivered',
      'reaction notifications order-paid',
    ])
    // Each delivery knows the handler that ran it (from the inbox) and its one attempt.
    walk(timeline.roots, (node) => {
      if (node.kind !== 'delivery') return
      expect(node.handlers.length).toBeGreaterThan(0)
      expect(node.attempts).toHaveLength(1)
      expect(node.attempts[0]).toMatchObject({ retried: 0, status: 200, outcome: 'processed' })
      expect(node.attempts[0]!.messageId).toStartWith('msg_')
    })
    // A reaction is what its context declared: a kind, a label, a time, a detail.
    walk(timeline.roots, (node) => {
      if (node.kind === 'reaction' && node.reactionKind === 'order-paid') {
        expect(node).toMatchObject({ context: 'notifications', detail: 'mail to alice@example.com' })
        expect(node.label.length).toBeGreaterThan(0)
      }
    })
  })

  it('lists recent subjects and the outbox, each row naming its subject kind', async () => {
    const subjects = await stack.json<{ id: string; kind: string; status: string; failedAttempts: number }[]>('/dashboard/api/subjects')
    expect(subjects[0]).toMatchObject({ id: orderId, kind: 'order', status: 'paid', failedAttempts: 0 })
    expect(await stack.json('/dashboard/api/subjects?kind=order&limit=1')).toEqual([subjects[0]])
    const outbox = await stack.json<{
      counts: Record<string, number>
      waiting: unknown[]
      published: { subject: string | null; subjectKind: string | null }[]
    }>('/dashboard/api/outbox')
    expect(outbox.counts.pending).toBe(0)
    expect(outbox.published.some((m) => m.subject === orderId && m.subjectKind === 'order')).toBe(true)
  })

  it("lists another context's subjects of the same chain (a payment), found through the deliveries about it", async () => {
    const payments = await stack.json<{ id: string; kind: string; status: string; facts: unknown[] }[]>('/dashboard/api/subjects?kind=payment')
    expect(payments.find((p) => p.id === orderId)).toMatchObject({
      kind: 'payment',
      status: 'succeeded',
      facts: [
        { label: 'amount', value: '$40.00' },
        { label: 'transaction', value: expect.any(String) },
      ],
    })
    const reservations = await stack.json<{ id: string; status: string }[]>('/dashboard/api/subjects?kind=stock%20reservation')
    expect(reservations.find((r) => r.id === orderId)).toMatchObject({ status: 'closed' })
    // Payment keeps no stream: its chain is the conversations of the deliveries about it, the whole chain.
    const paid = await stack.json<Timeline>(`/dashboard/api/subjects/${orderId}/timeline?kind=payment`)
    expect(paid.subject).toMatchObject({ kind: 'payment', id: orderId })
    expect(paid.counts).toMatchObject({ domainEvents: timeline.counts.domainEvents, deliveryAttempts: timeline.counts.deliveryAttempts })
    expect((await fetch(`${stack.publicUrl}/dashboard/api/subjects/${orderId}/timeline?kind=loan`)).status).toBe(404)
  })

  it('says what the service shows: its subject kinds, with their statuses and demo scenarios', async () => {
    const service = await stack.json<ServiceView>('/dashboard/api/service')
    // In the order the service lists its contexts: the first is what the page shows first.
    expect(service.subjects.map((k) => [k.name, k.plural, k.context])).toEqual([
      ['order', 'orders', 'ordering'],
      ['stock reservation', 'stock reservations', 'catalog'],
      ['payment', 'payments', 'payment'],
    ])
    const [orders, reservations, payments] = service.subjects
    expect(orders!.statuses.statuses.map((s) => s.status)).toContain('paid')
    expect(orders!.demo.map((s) => s.name)).toEqual(['paid', 'declined', 'no-stock'])
    // Only Ordering can start one: the page offers no demo for the others.
    expect([reservations!.demo, payments!.demo]).toEqual([[], []])
  })

  it("runs a demo scenario the subject's context declared, and refuses an unknown one", async () => {
    const response = await fetch(`${stack.publicUrl}/dashboard/api/demo`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ scenario: 'declined' }),
    })
    expect(response.status).toBe(201)
    const { id, kind } = (await response.json()) as { id: string; kind: string }
    expect(kind).toBe('order')
    await stack.orderReaches(id, 'cancelled')
    const unknown = await fetch(`${stack.publicUrl}/dashboard/api/demo`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"scenario":"nope"}',
    })
    expect(unknown.status).toBe(400)
    expect(unknown.headers.get('Content-Type')).toContain('application/problem+json')
    // A cross-site form can post text/plain without a preflight: refused before anything runs.
    const form = await fetch(`${stack.publicUrl}/dashboard/api/demo`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain' },
      body: '{"scenario":"paid"}',
    })
    expect(form.status).toBe(415)
    const otherKind = await fetch(`${stack.publicUrl}/dashboard/api/demo`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"scenario":"paid","kind":"loan"}',
    })
    expect(otherKind.status).toBe(404)
  })

  it('answers 404 problem+json for an unknown subject, and for the paths that spoke of orders', async () => {
    for (const path of [
      '/dashboard/api/subjects/nope/timeline',
      '/dashboard/api/orders',
      `/dashboard/api/orders/${orderId}/timeline`,
      '/dashboard/api/statuses',
    ]) {
      const response = await fetch(`${stack.publicUrl}${path}`)
      expect(response.status, path).toBe(404)
      expect(response.headers.get('Content-Type'), path).toContain('application/problem+json')
    }
    expect((await fetch(`${stack.publicUrl}/dashboard/api/subjects?kind=%3Cx%3E`)).status).toBe(400)
  })
})

describe('the live stream', () => {
  it('sends a change notice when an order moves, and closes cleanly when the client goes away', async () => {
    const feed = stack.herald.observability.feed
    await waitFor(() => feed.listeners === 0, { what: 'no stream open yet' })
    const abort = new AbortController()
    const response = await fetch(`${stack.publicUrl}/dashboard/api/stream`, { signal: abort.signal })
    expect(response.headers.get('Content-Type')).toContain('text/event-stream')
    const reader = response.body!.getReader()
    const decoder = new TextDecoder()
    let received = ''
    const until = async (text: string) => {
      const deadline = Date.now() + 15_000
      while (!received.includes(text)) {
        if (Date.now() > deadline) throw new Error(`no "${text}" in the stream; got ${received}`)
        const { value, done } = await reader.read()
        if (done) throw new Error('stream ended')
        received += decoder.decode(value)
      }
    }
    await until('event: ready')
    expect(feed.listeners).toBe(1)

    await stack.placeOrder()
    await until('event: change')
    const change = JSON.parse(received.split('event: change\ndata: ')[1]!.split('\n')[0]!)
    expect(change.changed).toContain('events')
    expect(change.events).toBeGreaterThan(0)

    abort.abort()
    await waitFor(() => feed.listeners === 0 && !feed.running, { what: 'the stream to close and the shared poller to stop' })
  })
})

describe('when recording fails', () => {
  it('still answers the delivery: the log is telemetry', async () => {
    const answered = stack.served.filter((r) => r.path === '/subscribers/notifications' && r.status === 200).length
    await stack.database.client.execute('ALTER TABLE delivery_log RENAME TO delivery_log_away')
    try {
      const event = buyerRegistered({ buyerId: 'yan', name: 'Yan', email: 'yan@example.com', channel: 'web' })
      await stack.qstash.publish({
        url: `${stack.publicUrl}/subscribers/notifications`,
        body: toStructuredCloudEvent({ ...event, subject: 'yan' }, stack.publicUrl),
        headers: { 'Content-Type': 'application/cloudevents+json' },
      })
      await waitFor(async () => (await stack.json<unknown[]>('/notifications?buyerId=yan')).length === 1, { what: 'the mail despite the broken log' })
      await waitFor(() => stack.served.filter((r) => r.path === '/subscribers/notifications' && r.status === 200).length > answered, {
        what: 'a 200 to QStash',
      })
    } finally {
      await stack.database.client.execute('ALTER TABLE delivery_log_away RENAME TO delivery_log')
    }
  })
})

function label(node: TimelineNode): string {
  switch (node.kind) {
    case 'command':
      return 'command'
    case 'domain':
      return `domain ${node.type}`
    case 'integration':
      return `integration ${node.type}`
    case 'job':
      return `job ${node.type}`
    case 'delivery':
      return `delivery ${node.target} ${node.state}`
    case 'reaction':
      return `reaction ${node.context} ${node.reactionKind}`
  }
}
