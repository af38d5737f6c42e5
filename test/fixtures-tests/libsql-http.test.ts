// Tests the Turso stand-in (test/fixtures/libsql-http/server.ts) with the REAL @libsql/client web build,
// the one Cloudflare Workers resolve, talking Hrana over HTTP to a local SQLite file.
import { type Client, createClient, LibsqlError } from '@libsql/client/web'
import { afterEach, describe, expect, it } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type LibsqlHttpServer, splitSql, startLibsqlHttpServer } from '../fixtures/libsql-http/server.ts'

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** A fresh temp database file, a server on it, and a client factory; all torn down after the test. */
async function setup(options: { authToken?: string } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'libsql-http-'))
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
  const server: LibsqlHttpServer = await startLibsqlHttpServer({ dbPath: join(dir, 'test.db'), ...options })
  cleanups.push(() => server.stop())
  const connect = (config: { authToken?: string; intMode?: 'number' | 'bigint' } = {}): Client => {
    const client = createClient({ url: server.url, ...config })
    cleanups.push(() => client.close())
    return client
  }
  return { server, connect }
}

async function caught(promise: Promise<unknown>): Promise<LibsqlError> {
  try {
    await promise
  } catch (error) {
    expect(error).toBeInstanceOf(LibsqlError)
    return error as LibsqlError
  }
  throw new Error('expected a LibsqlError, got success')
}

describe('libsql-http fixture server', () => {
  it('executes with positional and named args, reporting cols, decltypes, rowsAffected and lastInsertRowid', async () => {
    const { connect } = await setup()
    const db = connect()
    await db.execute('CREATE TABLE person (id INTEGER PRIMARY KEY, name TEXT NOT NULL, age INTEGER)')

    const inserted = await db.execute('INSERT INTO person (name, age) VALUES (?, ?)', ['Ada', 36])
    expect(inserted.rowsAffected).toBe(1)
    expect(inserted.lastInsertRowid).toBe(1n)
    await db.execute({ sql: 'INSERT INTO person (name, age) VALUES (:name, $age)', args: { name: 'Grace', age: 45 } })
    await db.execute({ sql: 'INSERT INTO person (name, age) VALUES (:name, :age)', args: { ':name': 'Linus', ':age': 21 } })

    const updated = await db.execute('UPDATE person SET age = age + 1 WHERE age > ?', [30])
    expect(updated.rowsAffected).toBe(2)

    const result = await db.execute({ sql: 'SELECT id, name, age, age * 2 AS twice FROM person WHERE name = @n', args: { n: 'Grace' } })
    expect(result.columns).toEqual(['id', 'name', 'age', 'twice'])
    expect(result.columnTypes).toEqual(['INTEGER', 'TEXT', 'INTEGER', ''])
    expect(result.rows.length).toBe(1)
    expect({ ...result.rows[0] }).toEqual({ id: 2, name: 'Grace', age: 46, twice: 92 })
    expect(result.rowsAffected).toBe(0)
  })

  it('round-trips every value type', async () => {
    const { connect } = await setup()
    const db = connect({ intMode: 'bigint' })
    await db.execute('CREATE TABLE v (i INTEGER, f REAL, t TEXT, b BLOB, n TEXT)')
    const big = 9_007_199_254_740_993n // 2^53 + 1: not representable as a JS number
    const blob = new Uint8Array([0, 1, 127, 128, 255])
    const text = 'héllo — 日本語 🌍 "quoted" \'single\''
    for (const i of [big, 9_223_372_036_854_775_807n, -9_223_372_036_854_775_808n, 0n]) {
      await db.execute({ sql: 'INSERT INTO v VALUES (?, ?, ?, ?, ?)', args: [i, 3.25, text, blob, null] })
    }

    const rows = (await db.execute('SELECT i, f, t, b, n, typeof(i) AS ti, typeof(f) AS tf, typeof(b) AS tb FROM v')).rows
    expect(rows.map((r) => r.i)).toEqual([big, 9_223_372_036_854_775_807n, -9_223_372_036_854_775_808n, 0n])
    const row = rows[0]!
    expect(row.f).toBe(3.25)
    expect(row.t).toBe(text)
    expect(new Uint8Array(row.b as ArrayBuffer)).toEqual(blob)
    expect(row.n).toBeNull()
    expect([row.ti, row.tf, row.tb]).toEqual(['integer', 'real', 'blob'])

    // Default intMode 'number': small integers come back as numbers, JS numbers go in as floats.
    const numbers = connect()
    const one = await numbers.execute('SELECT 42 AS i, 0.5 AS f, ? AS echoed', [1.5])
    expect({ ...one.rows[0] }).toEqual({ i: 42, f: 0.5, echoed: 1.5 })
  })

  it('batch is atomic: a failing statement rolls back the earlier ones and throws SQLITE_CONSTRAINT', async () => {
    const { connect } = await setup()
    const db = connect()
    await db.execute('CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE)')
    await db.execute("INSERT INTO t (name) VALUES ('taken')")

    const error = await caught(
      db.batch(
        [
          { sql: 'INSERT INTO t (name) VALUES (?)', args: ['first'] },
          { sql: 'INSERT INTO t (name) VALUES (?)', args: ['taken'] }, // UNIQUE violation
          { sql: 'INSERT INTO t (name) VALUES (?)', args: ['third'] },
        ],
        'write',
      ),
    )
    expect(error.code).toMatch(/^SQLITE_CONSTRAINT/)
    expect(error.message).toContain('UNIQUE constraint failed')
    const names = (await db.execute('SELECT name FROM t ORDER BY id')).rows.map((r) => r.name)
    expect(names).toEqual(['taken'])

    const ok = await db.batch(["INSERT INTO t (name) VALUES ('a')", "INSERT INTO t (name) VALUES ('b')", 'SELECT count(*) AS n FROM t'], 'write')
    expect(ok.map((r) => r.rowsAffected)).toEqual([1, 1, 0])
    expect(ok[2]!.rows[0]!.n).toBe(3)

    const read = await db.batch(['SELECT name FROM t ORDER BY id'], 'read')
    expect(read[0]!.rows.map((r) => r.name)).toEqual(['taken', 'a', 'b'])
  })

  it('records one pipeline request per batch call, with its kinds, statements and writes', async () => {
    const { server, connect } = await setup()
    const db = connect()
    await db.execute('CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)')
    server.resetCounts()

    await db.batch(["INSERT INTO t (name) VALUES ('x')", "INSERT INTO t (name) VALUES ('y')"], 'write')
    expect(server.requests).toEqual([
      // The client stores each SQL text first; the batch has BEGIN IMMEDIATE, the two inserts, COMMIT and
      // ROLLBACK (skipped unless the COMMIT fails).
      { path: '/v2/pipeline', kinds: ['store_sql', 'store_sql', 'batch', 'close'], statements: 5, writes: true },
    ])

    server.resetCounts()
    await db.batch(['SELECT * FROM t'], 'read')
    await db.execute('SELECT count(*) FROM t')
    expect(server.requests.map(({ kinds, writes }) => ({ kinds, writes }))).toEqual([
      { kinds: ['store_sql', 'batch', 'close'], writes: false },
      { kinds: ['execute', 'close'], writes: false },
    ])
  })

  it('interactive transactions commit and roll back, holding their connection across requests', async () => {
    const { server, connect } = await setup()
    const db = connect()
    await db.execute('CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)')
    const count = async () => (await db.execute('SELECT count(*) AS n FROM t')).rows[0]!.n

    const tx = await db.transaction('write')
    await tx.execute("INSERT INTO t (name) VALUES ('in tx')")
    expect((await tx.execute('SELECT count(*) AS n FROM t')).rows[0]!.n).toBe(1) // sees its own write
    expect(await count()).toBe(0) // other streams don't
    await tx.commit()
    expect(await count()).toBe(1)

    const rolledBack = await db.transaction('write')
    await rolledBack.execute("INSERT INTO t (name) VALUES ('gone')")
    await rolledBack.rollback()
    expect(await count()).toBe(1)

    // A write from another stream waits for the open write transaction instead of failing with SQLITE_BUSY.
    const holder = await db.transaction('write')
    await holder.execute("INSERT INTO t (name) VALUES ('first')")
    const waiting = db.execute("INSERT INTO t (name) VALUES ('second')")
    await Bun.sleep(50)
    await holder.commit()
    await waiting
    expect((await db.execute('SELECT name FROM t ORDER BY id')).rows.map((r) => r.name)).toEqual(['in tx', 'first', 'second'])

    // A read transaction refuses writes.
    const reader = await db.transaction('read')
    expect((await reader.execute('SELECT count(*) AS n FROM t')).rows[0]!.n).toBe(3)
    expect((await caught(reader.execute("INSERT INTO t (name) VALUES ('no')"))).code).toBe('SQLITE_READONLY')
    await reader.rollback()

    // The baton ties several HTTP requests to one stream.
    server.resetCounts()
    const tx2 = await db.transaction('write')
    await tx2.execute("INSERT INTO t (name) VALUES ('x')")
    await tx2.execute("INSERT INTO t (name) VALUES ('y')")
    await tx2.commit()
    expect(server.requests.map((r) => r.kinds)).toEqual([
      ['store_sql', 'batch'],
      ['store_sql', 'batch'],
      ['execute', 'close'],
    ])
    expect(await count()).toBe(5)
  })

  it('executeMultiple runs a script, including a trigger body with CASE … END', async () => {
    const { server, connect } = await setup()
    const db = connect()
    server.resetCounts()
    await db.executeMultiple(`
      -- a comment; with a semicolon
      CREATE TABLE item (id INTEGER PRIMARY KEY, label TEXT);
      CREATE TABLE log (msg TEXT);
      CREATE TRIGGER item_log AFTER INSERT ON item BEGIN
        INSERT INTO log VALUES (CASE WHEN NEW.label = 'x;y' THEN 'semi' ELSE NEW.label END);
      END;
      INSERT INTO item (label) VALUES ('x;y');
      INSERT INTO item (label) VALUES ('plain');
    `)
    expect(server.requests).toEqual([{ path: '/v2/pipeline', kinds: ['sequence', 'close'], statements: 5, writes: true }])
    expect((await db.execute('SELECT msg FROM log ORDER BY rowid')).rows.map((r) => r.msg)).toEqual(['semi', 'plain'])

    const error = await caught(db.executeMultiple('INSERT INTO item (label) VALUES (1); INSERT INTO nope VALUES (1); INSERT INTO item (label) VALUES (2)'))
    expect(error.code).toBe('SQLITE_ERROR')
    expect((await db.execute('SELECT count(*) AS n FROM item')).rows[0]!.n).toBe(3) // stopped at the failing statement
  })

  it('migrate runs statements in one transaction with foreign keys off', async () => {
    const { connect } = await setup()
    const db = connect()
    await db.executeMultiple(`
      CREATE TABLE parent (id INTEGER PRIMARY KEY);
      CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL REFERENCES parent (id));
    `)
    // Foreign keys are ON by default, as on Turso.
    expect((await caught(db.execute('INSERT INTO child VALUES (1, 99)'))).code).toBe('SQLITE_CONSTRAINT')

    await db.migrate(['INSERT INTO child VALUES (1, 99)', 'ALTER TABLE child ADD COLUMN note TEXT'])
    expect({ ...(await db.execute('SELECT * FROM child')).rows[0] }).toEqual({ id: 1, parent_id: 99, note: null })
  })

  it('requires the bearer token when one is configured', async () => {
    const { server, connect } = await setup({ authToken: 'secret-token' })
    const anonymous = await caught(connect().execute('SELECT 1'))
    expect(anonymous.code).toBe('SERVER_ERROR')
    expect(anonymous.message).toContain('401')
    expect((await caught(connect({ authToken: 'wrong' }).execute('SELECT 1'))).message).toContain('401')
    expect(server.requests).toEqual([])

    const result = await connect({ authToken: 'secret-token' }).execute('SELECT 1 AS one')
    expect(result.rows[0]!.one).toBe(1)
  })

  it('rejects more than one statement in execute, as Turso does', async () => {
    const { connect } = await setup()
    expect((await caught(connect().execute('SELECT 1; SELECT 2'))).code).toBe('SQL_MANY_STATEMENTS')
  })

  it('splitSql splits on semicolons outside literals, comments and trigger bodies', () => {
    expect(splitSql('SELECT \';\'; -- x;\n/* ; */ SELECT "a;b" ;  ')).toEqual(["SELECT ';';", '-- x;\n/* ; */ SELECT "a;b" ;'])
    expect(splitSql('CREATE TEMP TRIGGER t AFTER DELETE ON a BEGIN DELETE FROM b; END; SELECT 1')).toHaveLength(2)
    expect(splitSql(' ; -- only a comment')).toEqual([])
  })
})
