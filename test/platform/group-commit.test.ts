import { afterEach, describe, expect, it } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ConcurrencyError } from '../../src/kernel/index.ts'
import { openDatabase } from '../../src/platform/store/database.ts'
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

  it('keeps committing its prepared statements after another connection changed the schema (VACUUM, a new column)', async () => {
    database = await tempDatabase()
    const { committer, client } = database
    await committer.commit([insert('before')])
    await database.write(async () => {
      await client.execute('VACUUM')
      await client.execute('ALTER TABLE ordering_buyers ADD COLUMN note TEXT')
    })
    await committer.commit([insert('after')])
    await expect(committer.commit([insert('after')])).rejects.toBeInstanceOf(ConcurrencyError)
    const { rows } = await client.execute('SELECT id FROM ordering_buyers ORDER BY id')
    expect(rows.map((r) => r.id)).toEqual(['after', 'before'])
  })
})

describe('the committer at its edges: in-memory and file:/// databases, a closed one', () => {
  const table = { sql: 'CREATE TABLE t (id TEXT PRIMARY KEY, b BLOB)', args: [] }
  const row = (id: string) => ({ sql: 'INSERT INTO t (id, b) VALUES (?, ?)', args: [id, new Uint8Array([1, 2])] })

  it('commits an in-memory database on its one connection (a second one would be another, empty database)', async () => {
    const memory = openDatabase({ url: 'file::memory:' })
    try {
      await memory.client.execute(table)
      await Promise.all([memory.committer.commit([row('a')]), memory.committer.commit([row('b')])])
      await memory.committer.commit([row('c')])
      const { rows } = await memory.client.execute('SELECT id, hex(b) AS b FROM t ORDER BY id')
      expect(rows.map((r) => [r.id, r.b])).toEqual([
        ['a', '0102'],
        ['b', '0102'],
        ['c', '0102'],
      ])
    } finally {
      memory.close()
    }
  })

  it('refuses a commit once the database is closed, never running it as a silent no-op', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'herald-closed-'))
    const file = openDatabase({ url: `file:${join(dir, 'h.db')}` })
    try {
      await file.client.execute(table)
      await file.committer.commit([row('a')]) // the writer and its statement are ready
      file.close()
      await expect(file.committer.commit([row('b')])).rejects.toThrow(/closed/i)
      await expect(Promise.all([file.committer.commit([row('c')]), file.committer.commit([row('d')])])).rejects.toThrow(/closed/i)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('commits a file named by a file:/// URL into that file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'herald-url-'))
    const file = openDatabase({ url: `file://${join(dir, 'h.db')}` })
    try {
      await file.client.execute(table)
      await file.committer.commit([row('a')])
      const { createClient } = await import('@libsql/client')
      const other = createClient({ url: `file:${join(dir, 'h.db')}` })
      expect(Number((await other.execute('SELECT COUNT(*) AS n FROM t')).rows[0]!.n)).toBe(1)
      other.close()
    } finally {
      file.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
