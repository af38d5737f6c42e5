/**
 * The broker's durable state in one libSQL file: pending messages, the DLQ, URL groups, queues
 * and deduplication ids. Anything the broker has acknowledged is committed here first, so a
 * `kill -9` loses nothing accepted and delivery resumes on restart.
 *
 * Writes go through one in-process lane ({@link Store.exclusive}): two write transactions at once
 * on one embedded client deadlock it (libSQL has one writer per file), and check-then-write steps (dedup,
 * cancel vs. attempt outcome) must not interleave.
 */
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { type Client, createClient, type InStatement, type Row } from '@libsql/client'
import {
  type AttemptResponse,
  type Bytes,
  type DlqRecord,
  labelsOf,
  type MessageRecord,
  type QueueRecord,
  type ScheduleRecord,
  type UrlGroupRecord,
} from './model.ts'
import type { EventRecord } from './events.ts'
import type { MessageFilter } from './message-filter.ts'
import { base64 } from './signing.ts'

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS messages (
    id TEXT PRIMARY KEY, seq INTEGER NOT NULL, queue_name TEXT,
    retried INTEGER NOT NULL, next_at INTEGER NOT NULL, spec TEXT NOT NULL, body BLOB NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS dlq (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, dlq_id TEXT NOT NULL UNIQUE, message_id TEXT NOT NULL,
    url TEXT NOT NULL, topic_name TEXT, queue_name TEXT, label TEXT, response_status INTEGER,
    created_at INTEGER NOT NULL, spec TEXT NOT NULL, body BLOB NOT NULL, response TEXT)`,
  `CREATE TABLE IF NOT EXISTS url_groups (
    name TEXT PRIMARY KEY, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, endpoints TEXT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS queues (
    name TEXT PRIMARY KEY, parallelism INTEGER NOT NULL, paused INTEGER NOT NULL,
    created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS dedup (key TEXT PRIMARY KEY, response TEXT NOT NULL, created_at INTEGER NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, time INTEGER NOT NULL, state TEXT NOT NULL, message_id TEXT NOT NULL,
    url TEXT NOT NULL, topic_name TEXT, queue_name TEXT, schedule_id TEXT, label TEXT, caller_ip TEXT,
    flow_control_key TEXT, host TEXT NOT NULL, path TEXT NOT NULL, payload TEXT NOT NULL)`,
  `CREATE INDEX IF NOT EXISTS events_message ON events (message_id)`,
  `CREATE TABLE IF NOT EXISTS flow_control_paused (key TEXT PRIMARY KEY)`,
  `CREATE TABLE IF NOT EXISTS schedules (id TEXT PRIMARY KEY, spec TEXT NOT NULL, body BLOB NOT NULL)`,
]

/** QStash keeps deduplication ids for 90 days. */
export const DEDUP_TTL_MS = 90 * 86_400_000

/** Log filters: the message filters (dates bound the entry's time) plus states; `beforeSeq` is the cursor. */
export interface EventFilter extends MessageFilter {
  states?: string[]
  beforeSeq?: number
}

/** DLQ filters: the message filters (dates bound the DLQ entry's time) minus host/path. */
export interface DlqFilter extends Omit<MessageFilter, 'hosts' | 'paths'> {
  dlqIds?: string[]
  responseStatuses?: number[]
  /** Only entries after this seq (the cursor). */
  afterSeq?: number
  limit?: number
}

export class Store {
  private tail: Promise<unknown> = Promise.resolve()
  private readonly groups = new Map<string, UrlGroupRecord>()

  private constructor(private readonly client: Client) {}

  static async open(url: string): Promise<Store> {
    if (url.startsWith('file:')) {
      const path = url.slice('file:'.length).split('?')[0] as string
      if (path !== ':memory:' && path !== '') mkdirSync(dirname(path), { recursive: true })
    }
    const client = createClient({ url, timeout: 5000 })
    // WAL: readers never block the writer. synchronous=NORMAL still survives a process kill -9
    // (only an OS crash can drop the last commits), which is the durability a dev broker needs.
    await client.execute('PRAGMA journal_mode = WAL')
    await client.execute('PRAGMA synchronous = NORMAL')
    await client.batch(SCHEMA, 'write')
    // Expired deduplication ids only take space: drop them at start-up.
    await client.execute({ sql: 'DELETE FROM dedup WHERE created_at <= ?', args: [Date.now() - DEDUP_TTL_MS] })
    return new Store(client)
  }

  /** Runs `task` alone on the write lane. Everything that writes must go through here. */
  exclusive<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task)
    this.tail = result.catch(() => undefined)
    return result
  }

  /** One atomic batch (a transaction on a file). Call inside {@link exclusive}. */
  async commit(statements: InStatement[]): Promise<void> {
    if (statements.length === 0) return
    // A URL-group write drops the cache before it commits, so no reader keeps a stale group.
    if (statements.some((s) => (typeof s === 'string' ? s : s.sql).includes('url_groups'))) this.groups.clear()
    await this.client.batch(statements, 'write')
  }

  /** Waits for queued writes, then closes. */
  async close(): Promise<void> {
    await this.exclusive(async () => undefined)
    this.client.close()
  }

  // ---- messages ----

  async loadMessages(): Promise<MessageRecord[]> {
    const { rows } = await this.client.execute('SELECT * FROM messages ORDER BY seq')
    return rows.map(messageFromRow)
  }

  // ---- dlq ----

  async listDlq(filter: DlqFilter): Promise<DlqRecord[]> {
    const where = new Where('created_at')
    where.anyOf('dlq_id', filter.dlqIds)
    where.message(filter, {
      // Fields only the message spec holds (so rows written before they existed still match).
      callerIp: "json_extract(spec, '$.callerIp')",
      scheduleId: "json_extract(spec, '$.scheduleId')",
      flowControlKey: "json_extract(spec, '$.flowControl.key')",
    })
    where.anyOf('response_status', filter.responseStatuses)
    if (filter.afterSeq !== undefined) where.add('seq > ?', filter.afterSeq)
    const sql = `SELECT * FROM dlq ${where.sql()} ORDER BY seq${filter.limit === undefined ? '' : ` LIMIT ${Math.floor(filter.limit)}`}`
    const { rows } = await this.client.execute({ sql, args: where.args })
    return rows.map(dlqFromRow)
  }

  async getDlq(dlqId: string): Promise<DlqRecord | undefined> {
    return (await this.listDlq({ dlqIds: [dlqId] }))[0]
  }

  // ---- log ----

  /** Newest first: entries before `beforeSeq` (the cursor), at most `limit`. */
  async listEvents(filter: EventFilter, limit: number): Promise<{ seq: number; payload: Record<string, unknown> }[]> {
    const where = new Where('time')
    where.message(filter, { callerIp: 'caller_ip', scheduleId: 'schedule_id', flowControlKey: 'flow_control_key' })
    where.anyOf('host', filter.hosts)
    where.anyOf('path', filter.paths)
    where.anyOf('state', filter.states)
    if (filter.beforeSeq !== undefined) where.add('seq < ?', filter.beforeSeq)
    const { rows } = await this.client.execute({
      sql: `SELECT seq, payload FROM events ${where.sql()} ORDER BY seq DESC LIMIT ${Math.floor(limit)}`,
      args: where.args,
    })
    return rows.map((row) => ({ seq: Number(row.seq), payload: JSON.parse(String(row.payload)) }))
  }

  // ---- url groups ----

  /**
   * Every publish to a URL group reads it: kept in memory (this process is the only writer of
   * its file, and every write goes through {@link commit}, which clears the cache).
   */
  async getUrlGroup(name: string): Promise<UrlGroupRecord | undefined> {
    const cached = this.groups.get(name)
    // A copy: callers edit the group they read before committing it.
    if (cached) return { ...cached, endpoints: cached.endpoints.map((e) => ({ ...e })) }
    const { rows } = await this.client.execute({ sql: 'SELECT * FROM url_groups WHERE name = ?', args: [name] })
    const group = rows[0] === undefined ? undefined : groupFromRow(rows[0])
    if (group) this.groups.set(name, group)
    return group
  }

  async listUrlGroups(): Promise<UrlGroupRecord[]> {
    const { rows } = await this.client.execute('SELECT * FROM url_groups ORDER BY name')
    return rows.map(groupFromRow)
  }

  // ---- queues ----

  async loadQueues(): Promise<QueueRecord[]> {
    const { rows } = await this.client.execute('SELECT * FROM queues ORDER BY name')
    return rows.map((row) => ({
      name: String(row.name),
      parallelism: Number(row.parallelism),
      paused: Number(row.paused) === 1,
      createdAt: Number(row.created_at),
      updatedAt: Number(row.updated_at),
    }))
  }

  // ---- schedules ----

  async loadSchedules(): Promise<ScheduleRecord[]> {
    const { rows } = await this.client.execute('SELECT * FROM schedules ORDER BY id')
    return rows.map((row) => ({ ...JSON.parse(String(row.spec)), body: bytes(row.body) }) as ScheduleRecord)
  }

  // ---- flow control ----

  async loadPausedFlowKeys(): Promise<string[]> {
    const { rows } = await this.client.execute('SELECT key FROM flow_control_paused ORDER BY key')
    return rows.map((row) => String(row.key))
  }

  // ---- dedup ----

  async getDedup(key: string, now: number): Promise<unknown | undefined> {
    const { rows } = await this.client.execute({
      sql: 'SELECT response FROM dedup WHERE key = ? AND created_at > ?',
      args: [key, now - DEDUP_TTL_MS],
    })
    return rows[0] === undefined ? undefined : JSON.parse(String(rows[0].response))
  }
}

/** Statement builders: the engine composes them into one atomic {@link Store.commit}. */
export const sql = {
  insertMessage(message: MessageRecord): InStatement {
    const { id, seq, queueName, retried, nextAt, body, ...spec } = message
    return {
      sql: 'INSERT INTO messages (id, seq, queue_name, retried, next_at, spec, body) VALUES (?, ?, ?, ?, ?, ?, ?)',
      args: [id, seq, queueName ?? null, retried, nextAt, JSON.stringify(spec), body],
    }
  },
  rescheduleMessage(message: MessageRecord): InStatement {
    return {
      sql: 'UPDATE messages SET retried = ?, next_at = ? WHERE id = ?',
      args: [message.retried, message.nextAt, message.id],
    }
  },
  deleteMessage(id: string): InStatement {
    return { sql: 'DELETE FROM messages WHERE id = ?', args: [id] }
  },
  insertDlq(record: Omit<DlqRecord, 'seq'>): InStatement {
    const { body, ...message } = record.message
    const response =
      record.response === undefined && record.error === undefined
        ? null
        : JSON.stringify({
            status: record.response?.status,
            headers: record.response?.headers,
            bodyBase64: record.response === undefined ? undefined : base64(record.response.body),
            error: record.error,
          })
    return {
      sql: `INSERT INTO dlq (dlq_id, message_id, url, topic_name, queue_name, label, response_status, created_at, spec, body, response)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      args: [
        record.dlqId,
        message.id,
        message.url,
        message.topicName ?? null,
        message.queueName ?? null,
        // Normalised ("a,b", no spaces) so the label filter can match list items exactly.
        labelsOf(message.label)?.join(',') ?? null,
        record.response?.status ?? null,
        record.createdAt,
        JSON.stringify(message),
        body,
        response,
      ],
    }
  },
  insertEvent(event: EventRecord): InStatement {
    return {
      sql: `INSERT INTO events (time, state, message_id, url, topic_name, queue_name, schedule_id, label, caller_ip,
            flow_control_key, host, path, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      args: [
        event.time,
        event.state,
        event.messageId,
        event.url,
        event.topicName ?? null,
        event.queueName ?? null,
        event.scheduleId ?? null,
        event.label ?? null,
        event.callerIp ?? null,
        event.flowControlKey ?? null,
        event.host,
        event.path,
        JSON.stringify(event.payload),
      ],
    }
  },
  /** Keeps the newest `retention` log entries (a range delete on the key: cheap per commit). */
  pruneEvents(retention: number): InStatement {
    return {
      sql: 'DELETE FROM events WHERE seq <= (SELECT MAX(seq) FROM events) - ?',
      args: [Math.max(0, Math.floor(retention))],
    }
  },
  deleteDlq(dlqId: string): InStatement {
    return { sql: 'DELETE FROM dlq WHERE dlq_id = ?', args: [dlqId] }
  },
  upsertUrlGroup(group: UrlGroupRecord): InStatement {
    return {
      sql: `INSERT INTO url_groups (name, created_at, updated_at, endpoints) VALUES (?, ?, ?, ?)
            ON CONFLICT (name) DO UPDATE SET updated_at = excluded.updated_at, endpoints = excluded.endpoints`,
      args: [group.name, group.createdAt, group.updatedAt, JSON.stringify(group.endpoints)],
    }
  },
  deleteUrlGroup(name: string): InStatement {
    return { sql: 'DELETE FROM url_groups WHERE name = ?', args: [name] }
  },
  upsertQueue(queue: QueueRecord): InStatement {
    return {
      sql: `INSERT INTO queues (name, parallelism, paused, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (name) DO UPDATE SET parallelism = excluded.parallelism, paused = excluded.paused,
            updated_at = excluded.updated_at`,
      args: [queue.name, queue.parallelism, queue.paused ? 1 : 0, queue.createdAt, queue.updatedAt],
    }
  },
  deleteQueue(name: string): InStatement {
    return { sql: 'DELETE FROM queues WHERE name = ?', args: [name] }
  },
  upsertSchedule(schedule: ScheduleRecord): InStatement {
    const { body, ...spec } = schedule
    return {
      sql: 'INSERT INTO schedules (id, spec, body) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET spec = excluded.spec, body = excluded.body',
      args: [schedule.scheduleId, JSON.stringify(spec), body],
    }
  },
  deleteSchedule(id: string): InStatement {
    return { sql: 'DELETE FROM schedules WHERE id = ?', args: [id] }
  },
  setFlowPaused(key: string, paused: boolean): InStatement {
    return paused
      ? { sql: 'INSERT OR IGNORE INTO flow_control_paused (key) VALUES (?)', args: [key] }
      : { sql: 'DELETE FROM flow_control_paused WHERE key = ?', args: [key] }
  },
  insertDedup(key: string, response: unknown, now: number): InStatement {
    // REPLACE: an expired entry with the same key may still be in the table.
    return {
      sql: 'INSERT OR REPLACE INTO dedup (key, response, created_at) VALUES (?, ?, ?)',
      args: [key, JSON.stringify(response), now],
    }
  },
}

/** A WHERE clause built from filters: each list is OR'ed, the lists AND'ed; [] matches nothing. */
class Where {
  private readonly parts: string[] = []
  readonly args: (string | number)[] = []

  /** `created_at` in the DLQ (the entry's time), `time` in the log. */
  constructor(private readonly timeColumn: 'created_at' | 'time') {}

  add(condition: string, ...args: (string | number)[]): void {
    this.parts.push(condition)
    this.args.push(...args)
  }

  anyOf(column: string, values: readonly (string | number)[] | undefined): void {
    if (values === undefined) return
    if (values.length === 0) this.add('0')
    else this.add(`${column} IN (${values.map(() => '?').join(', ')})`, ...values)
  }

  /** The shared message filters; `created_at` (DLQ) or `time` (log) bounds the dates. */
  message(filter: MessageFilter, columns: { callerIp: string; scheduleId: string; flowControlKey: string }): void {
    this.anyOf('message_id', filter.messageIds)
    this.anyOf('url', filter.urls)
    this.anyOf('topic_name', filter.topicNames)
    this.anyOf('queue_name', filter.queueNames)
    if (filter.labels !== undefined) {
      // The column holds the labels comma-joined: match any one as a whole list item.
      const labels = filter.labels
      if (labels.length === 0) this.add('0')
      else this.add(`(${labels.map(() => "instr(',' || label || ',', ',' || ? || ',') > 0").join(' OR ')})`, ...labels)
    }
    this.anyOf(columns.callerIp, filter.callerIps)
    this.anyOf(columns.scheduleId, filter.scheduleIds)
    this.anyOf(columns.flowControlKey, filter.flowControlKeys)
    // No message goes to a QStash API here: an api filter matches nothing (never everything).
    if (filter.apis !== undefined) this.add('0')
    if (filter.fromDate !== undefined) this.add(`${this.timeColumn} >= ?`, filter.fromDate)
    if (filter.toDate !== undefined) this.add(`${this.timeColumn} <= ?`, filter.toDate)
  }

  sql(): string {
    return this.parts.length === 0 ? '' : `WHERE ${this.parts.join(' AND ')}`
  }
}

function bytes(value: unknown): Bytes {
  if (value instanceof ArrayBuffer) return new Uint8Array(value)
  if (value instanceof Uint8Array) return new Uint8Array(value)
  return new Uint8Array()
}

function messageFromRow(row: Row): MessageRecord {
  const spec = JSON.parse(String(row.spec)) as Omit<MessageRecord, 'id' | 'seq' | 'retried' | 'nextAt' | 'body'>
  return {
    ...spec,
    id: String(row.id),
    seq: Number(row.seq),
    queueName: row.queue_name === null ? undefined : String(row.queue_name),
    retried: Number(row.retried),
    nextAt: Number(row.next_at),
    body: bytes(row.body),
  }
}

function dlqFromRow(row: Row): DlqRecord {
  const message = { ...JSON.parse(String(row.spec)), body: bytes(row.body) } as MessageRecord
  const stored =
    row.response === null
      ? undefined
      : (JSON.parse(String(row.response)) as {
          status?: number
          headers?: Record<string, string[]>
          bodyBase64?: string
          error?: string
        })
  const response: AttemptResponse | undefined =
    stored?.status === undefined
      ? undefined
      : {
          status: stored.status,
          headers: stored.headers ?? {},
          body: Uint8Array.from(atob(stored.bodyBase64 ?? ''), (c) => c.charCodeAt(0)),
        }
  return {
    dlqId: String(row.dlq_id),
    seq: Number(row.seq),
    message,
    response,
    error: stored?.error,
    createdAt: Number(row.created_at),
  }
}

function groupFromRow(row: Row): UrlGroupRecord {
  return {
    name: String(row.name),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    endpoints: JSON.parse(String(row.endpoints)),
  }
}
