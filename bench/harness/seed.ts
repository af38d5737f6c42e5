import { createClient } from '@libsql/client'

/**
 * Bulk-loads `count` domain events into an already-migrated file with ONE statement: a
 * recursive CTE counts 0…count-1 and INSERT … SELECT turns each n into an event of aggregate
 * n / 4 (4 events per stream: OrderStarted, OrderBuyerAssigned, …AwaitingValidation,
 * …StockConfirmed). Event ids and aggregate ids are random-looking (randomblob / a
 * multiplicative hash), so the unique and stream indexes grow the way UUIDs make them grow,
 * not as appends. Runs in one transaction with a large page cache, then checkpoints the WAL.
 */
export async function seedDomainEvents(dbPath: string, count: number): Promise<{ seconds: number; rows: number }> {
  const client = createClient({ url: `file:${dbPath}` })
  const started = performance.now()
  await client.execute('PRAGMA cache_size = -524288')
  await client.execute({
    sql: `WITH RECURSIVE seq(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM seq WHERE n < ? - 1)
      INSERT INTO domain_events
        (id, aggregate_type, aggregate_id, aggregate_version, type, schema_version, data, correlation_id, causation_id, occurred_at)
      SELECT
        lower(hex(randomblob(16))),
        'Order',
        printf('seed-%08x', ((n / 4) * 2654435761) % 4294967296),
        (n % 4) + 1,
        CASE n % 4 WHEN 0 THEN 'OrderStarted' WHEN 1 THEN 'OrderBuyerAssigned'
          WHEN 2 THEN 'OrderStatusChangedToAwaitingValidation' ELSE 'OrderStatusChangedToStockConfirmed' END,
        CASE n % 4 WHEN 0 THEN 2 ELSE 1 END,
        CASE n % 4
          WHEN 0 THEN json_object('orderId', printf('seed-%08x', ((n / 4) * 2654435761) % 4294967296), 'buyer',
            json_object('id', 'buyer-' || (n % 5000), 'name', 'Seeded Buyer', 'email', 'seeded@example.com'),
            'items', json_array(json_object('productId', 'mug', 'productName', 'Herald mug', 'unitPrice', 1250, 'units', 2, 'discount', 0)),
            'channel', 'api')
          WHEN 1 THEN json_object('buyerId', 'buyer-' || (n % 5000), 'paymentMethodId', lower(hex(randomblob(8))))
          ELSE json_object('orderId', printf('seed-%08x', ((n / 4) * 2654435761) % 4294967296)) END,
        lower(hex(randomblob(16))),
        NULL,
        strftime('%Y-%m-%dT%H:%M:%fZ', '2025-01-01', '+' || (n / 4) || ' seconds')
      FROM seq`,
    args: [count],
  })
  await client.execute('PRAGMA wal_checkpoint(TRUNCATE)')
  const { rows } = await client.execute('SELECT count(*) AS n FROM domain_events')
  client.close()
  return { seconds: (performance.now() - started) / 1000, rows: Number(rows[0]?.n) }
}
