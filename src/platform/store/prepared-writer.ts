import type { Client, Config } from '@libsql/client'
import type LibsqlDriver from 'libsql'
import type * as NodeModule from 'node:module'
import type { Statement } from '../../kernel/index.ts'
import type { Tx, Writer } from './group-commit.ts'

type Driver = InstanceType<typeof LibsqlDriver>
type Prepared = ReturnType<Driver['prepare']>

/**
 * The group committer's writer for an embedded file, with each SQL text prepared once. Herald's
 * write SQL is a few dozen constant strings (journal.ts, the outbox, the inbox), but
 * @libsql/client prepares every statement on every call and probes each with `raw()`:
 * `bench/experiments/statements.ts` measured one POST /orders commit at 2,133 µs that way and
 * 542 µs prepared once. So commits go through the `libsql` driver underneath @libsql/client, on
 * one connection of its own.
 *
 * Still one writer per file: this connection writes only inside the write lane (the committer
 * runs there, as `database.write`'s tasks do), holds no transaction outside it, and
 * @libsql/client's connections only read while it writes. Anything it cannot serve as the
 * client would — `:memory:` (a second connection would be a second database), an embedded
 * replica, an encrypted file, URL options — keeps @libsql/client's own writer, as does a runtime
 * where the driver does not load.
 */
export function preparedFileWriter(config: Config, client: Client, fallback: Writer): Writer & { close(): void } {
  const path = plainFilePath(config)
  let closed = false
  let driver: Driver | undefined
  let chosen: Writer | undefined = path === undefined ? fallback : undefined
  let loading: Promise<Writer> | undefined

  async function load(): Promise<Writer> {
    try {
      const Driver = driverBesideClient()
      // Commits as durable as the client's connection was set to be (SQLite's default, FULL,
      // unless someone lowered it, as bench/experiments/breakdown.ts does to take the disk out).
      const { rows } = await client.execute('PRAGMA synchronous')
      if (closed) return fallback
      driver = new Driver(path!, { timeout: config.timeout ?? 5000 })
      driver.exec(`PRAGMA synchronous = ${Number(rows[0]?.[0] ?? 2)}`)
      chosen = preparedWriter(driver)
    } catch {
      chosen = fallback
    }
    return chosen
  }
  // Resolved once, on the first commit; the first commits of a process share the loading promise
  // (Bun, Deno and Node only: on Workers this path is never taken).
  const ready = (): Writer | Promise<Writer> => {
    if (chosen) return chosen
    loading ??= load()
    return loading
  }

  return {
    async begin() {
      return (await ready()).begin()
    },
    async single(statements) {
      return (await ready()).single(statements)
    },
    close() {
      closed = true
      if (driver?.open) driver.close()
    },
  }
}

/**
 * The very copy of `libsql` that @libsql/client loads: two SQLite libraries in one process would
 * not see each other's locks on the file (https://sqlite.org/howtocorrupt.html#multiple_copies_of_sqlite_linked_into_the_same_application).
 * Through `createRequire` beside @libsql/client, not an import: bundlers (wrangler's esbuild)
 * leave it alone, and a Worker never opens a file, so the native driver never reaches its bundle.
 */
function driverBesideClient(): typeof LibsqlDriver {
  const process = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process
  const nodeModule = process?.getBuiltinModule?.('node:module') as typeof NodeModule | undefined
  if (!nodeModule) throw new Error('no node:module here: @libsql/client writes')
  return nodeModule.createRequire(import.meta.resolve('@libsql/client'))('libsql') as typeof LibsqlDriver
}

/** The file's path when `config` is a plain local file @libsql/client would open the same way. */
function plainFilePath(config: Config): string | undefined {
  if (config.syncUrl || config.encryptionKey || !config.url.startsWith('file:')) return undefined
  const rest = config.url.slice('file:'.length)
  if (rest === '' || rest.includes('?') || rest.includes('#') || rest.includes(':memory:')) return undefined
  // file:///abs and file://localhost/abs are /abs; file:/abs and file:relative are as written.
  if (rest.startsWith('//')) {
    const slash = rest.indexOf('/', 2)
    const host = rest.slice(2, slash)
    return slash > 0 && (host === '' || host === 'localhost') ? decodeURIComponent(rest.slice(slash)) : undefined
  }
  return decodeURIComponent(rest)
}

/**
 * Commits on `driver`, each SQL text prepared once and kept. Texts vary only with the length of
 * an `IN (…)` list or a multi-row VALUES, so the cache stays small; the bound is for an
 * application that builds SQL some other way (the oldest statement goes first).
 */
export function preparedWriter(driver: Driver, limit = 1024): Writer {
  const cache = new Map<string, Prepared>()
  const prepared = (sql: string) => {
    // After close() the driver must not be touched: a kept statement would run as a silent no-op
    // and `inTransaction` aborts the process. @libsql/client throws CLIENT_CLOSED here; so do we.
    if (!driver.open) throw new Error('The database is closed')
    let statement = cache.get(sql)
    if (!statement) {
      statement = driver.prepare(sql)
      if (cache.size >= limit) cache.delete(cache.keys().next().value!)
      cache.set(sql, statement)
    }
    return statement
  }
  const exec = (sql: string) => void prepared(sql).run([])
  const run = (statements: readonly Statement[]) => {
    for (const { sql, args } of statements) {
      const statement = prepared(sql)
      const values = (args as readonly unknown[]).map(toSql)
      // A statement that returns rows (PRAGMA secure_delete answers its new value) is stepped to the end.
      if (statement.reader) statement.all(values)
      else statement.run(values)
    }
  }
  const rollback = () => {
    if (driver.open && driver.inTransaction) exec('ROLLBACK')
  }
  const tx: Tx = {
    exec: async (sql) => exec(sql),
    run: async (statements) => run(statements),
    commit: async () => exec('COMMIT'),
    rollback,
  }
  return {
    async begin() {
      exec('BEGIN IMMEDIATE')
      return tx
    },
    async single(statements) {
      exec('BEGIN IMMEDIATE')
      try {
        run(statements)
        exec('COMMIT')
      } catch (error) {
        rollback()
        throw error
      }
    },
  }
}

/** What @libsql/client's own conversion does to a statement argument before the driver sees it. */
function toSql(value: unknown): unknown {
  if (typeof value === 'boolean') return value ? 1 : 0
  if (value instanceof ArrayBuffer) return new Uint8Array(value)
  if (value instanceof Date) return value.valueOf()
  if (typeof value === 'number' && !Number.isFinite(value)) throw new RangeError('Only finite numbers (not Infinity or NaN) can be passed as arguments')
  if (value === undefined) throw new TypeError('undefined cannot be passed as argument to the database')
  return value
}
