import { afterEach, describe, expect, it } from 'bun:test'
import { ConcurrencyError } from '../../src/kernel/index.ts'
import { tempDatabase } from '../support/database.ts'

let database: Awaited<ReturnType<typeof tempDatabase>> | undefined
afterEach(() => database?.dispose())

const insert = (id: string, buyer = 'b') => ({
  sql: 'INSERT INTO ordering_buyers (id, version, state) VALUES (?, 1, ?)',
  args: [id, JSON.stringify({ buyer })],
})

describe('group commit on the embedded file', () => {
  it('commits concurrent batches together, each atomic: a conflicting one fails alone', async () => {
    database = await tempDatabase()
    const { committer, client } = database
    const outcomes = await Promise.allSettled([
      committer.commit([insert('a'), insert('b')]),
      committer.commit([insert('c'), insert('a')]), // duplicate key: this whole batch must vanish
      committer.commit([insert('d')]),
    ])
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
    expect((outcomes[1] as PromiseRejectedResult).reason).toBeInstanceOf(ConcurrencyError)
    const { rows } = await client.execute('SELECT id FROM ordering_buyers ORDER BY id')
    expect(rows.map((r) => r.id)).toEqual(['a', 'b', 'd'])
  })

  it('keeps working after a failed group, and a lone batch commits on its own', async () => {
    database = await tempDatabase()
    const { committer, client } = database
    await Promise.allSettled([committer.commit([insert('x')]), committer.commit([insert('x')])])
    await committer.commit([insert('y')])
    await expect(committer.commit([insert('y')])).rejects.toBeInstanceOf(ConcurrencyError)
    const { rows } = await client.execute('SELECT id FROM ordering_buyers ORDER BY id')
    expect(rows.map((r) => r.id)).toEqual(['x', 'y'])
  })

  it('makes every command durable before it resolves (readable by another connection)', async () => {
    database = await tempDatabase()
    await Promise.all(Array.from({ length: 20 }, (_, i) => database!.committer.commit([insert(`k${i}`)])))
    const { createClient } = await import('@libsql/client')
    const other = createClient({ url: `file:${database.path}` })
    const { rows } = await other.execute('SELECT COUNT(*) AS n FROM ordering_buyers')
    other.close()
    expect(Number(rows[0]!.n)).toBe(20)
  })
})
