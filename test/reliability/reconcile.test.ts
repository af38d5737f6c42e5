import { afterEach, describe, expect, it } from 'bun:test'
import { join } from 'node:path'
import { placeOrder, type TestHerald, testHerald } from '../support/herald.ts'

let h: TestHerald
afterEach(() => h?.dispose())

const root = join(import.meta.dir, '../..')

async function corrupt(h: TestHerald) {
  const [a, b, c] = [await placeOrder(h), await placeOrder(h), await placeOrder(h)]
  await h.ordering.cancelOrder(c)
  const sql = (statement: string, args: (string | number)[] = []) => h.database.client.execute({ sql: statement, args })
  await sql("UPDATE ordering_orders SET state = json_set(state, '$.status', 'shipped'), status = 'shipped' WHERE id = ?", [a])
  await sql('DELETE FROM ordering_orders WHERE id = ?', [b])
  await sql("UPDATE ordering_buyers SET state = json_set(state, '$.lifetimeSpend', 999999)")
  await sql("UPDATE outbox SET status = 'failed' WHERE rowid = (SELECT MIN(rowid) FROM outbox)")
  return { a, b, c }
}

describe('reconciliation', () => {
  it('finds diverged state, missing rows and unpublished events', async () => {
    h = await testHerald()
    const { a, b } = await corrupt(h)
    const report = await h.reconcile()
    const summary = report.divergences.map((d) => ('aggregateId' in d ? `${d.kind} ${d.aggregateType} ${d.aggregateId}` : `${d.kind} ${d.topic}`))
    expect(summary).toEqual(expect.arrayContaining([`state-mismatch Order ${a}`, `missing-row Order ${b}`, 'state-mismatch Buyer alice']))
    expect(report.divergences.find((d) => d.kind === 'state-mismatch' && d.aggregateType === 'Order')).toMatchObject({ fields: ['status'] })
    expect(report.divergences.filter((d) => d.kind === 'unpublished')).toHaveLength(1)
    expect(report.divergences).toHaveLength(4)
    expect(report.aggregatesChecked).toBe(4)
  })

  it('repairs from the event stream, records compensating events, re-queues unpublished rows, and then finds nothing', async () => {
    h = await testHerald()
    const { a, b } = await corrupt(h)
    const repaired = await h.reconcile({ repair: true })
    expect(repaired.repaired).toBe(4)
    expect(await h.reconcile()).toMatchObject({ divergences: [] })
    expect(((await (await h.request(`/orders/${a}`)).json()) as { status: string }).status).toBe('submitted')
    expect(((await (await h.request(`/orders/${b}`)).json()) as { status: string }).status).toBe('submitted')
    const { events } = (await (await h.request('/events?type=AggregateStateRepaired')).json()) as { events: any[] }
    expect(events.map((e) => `${e.data.aggregateType} ${e.data.divergence}`).sort()).toEqual([
      'Buyer state-mismatch',
      'Order missing-row',
      'Order state-mismatch',
    ])
    // Appended through the journal in the repair's one commit: each carries that commit's id (the run's, also its correlation).
    expect(events.every((e) => typeof e.commitId === 'string' && e.commitId === e.correlationId)).toBe(true)
    const { rows } = await h.database.client.execute("SELECT COUNT(*) AS n FROM outbox WHERE status = 'failed'")
    expect(Number(rows[0]!.n)).toBe(0)
  })

  it('is available to operators through POST /admin/reconcile', async () => {
    h = await testHerald({ config: { adminToken: 'admin' } })
    await corrupt(h)
    expect((await h.post('/admin/reconcile')).status).toBe(401)
    const response = await h.post('/admin/reconcile?repair=true', undefined, { Authorization: 'Bearer admin' })
    expect(((await response.json()) as { repaired: number }).repaired).toBe(4)
  })

  it('`bun run reconcile` exits 1 on inconsistencies and 0 once repaired', async () => {
    // The CLI reads the real clock; so does this herald, so fresh pending rows are not stale.
    h = await testHerald({ clock: () => new Date().toISOString() })
    await corrupt(h)
    const run = (...args: string[]) =>
      Bun.spawnSync([process.execPath, 'run', 'scripts/reconcile.ts', ...args], {
        cwd: root,
        env: { ...process.env, DATABASE_URL: `file:${h.database.path}` },
      })
    const check = run()
    expect(check.exitCode).toBe(1)
    expect(check.stdout.toString()).toContain('4 inconsistencies, 0 repaired')
    expect(run('--repair').exitCode).toBe(0)
    expect(run().stdout.toString()).toContain('0 inconsistencies')
  })
})
