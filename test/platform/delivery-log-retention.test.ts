import { afterEach, describe, expect, it } from 'bun:test'
import { deliveryLog } from '../../src/platform/observability/delivery-log.ts'
import { tempDatabase } from '../support/database.ts'

let database: Awaited<ReturnType<typeof tempDatabase>> | undefined
afterEach(() => database?.dispose())

describe('the delivery log', () => {
  it('prunes entries older than the retention instant and keeps the rest', async () => {
    database = await tempDatabase()
    for (const at of ['2026-01-01T00:00:00.000Z', '2026-01-05T00:00:00.000Z', '2026-01-09T00:00:00.000Z']) {
      await database.client.execute({
        sql: "INSERT INTO delivery_log (kind, target, status, duration_ms, received_at) VALUES ('subscriber', 'catalog', 200, 1, ?)",
        args: [at],
      })
    }
    expect(await deliveryLog(database).pruneBefore('2026-01-06T00:00:00.000Z')).toBe(2)
    const { rows } = await database.client.execute('SELECT received_at FROM delivery_log')
    expect(rows.map((r) => r.received_at)).toEqual(['2026-01-09T00:00:00.000Z'])
  })
})
