/**
 * The broker's durable state in one libSQL file: pending messages, the DLQ, URL groups, queues
 * and deduplication ids. Anything the broker has acknowledged is committed here first, so a
 * `kill -9` loses nothing accepted and delivery resumes on restart.
 *
 * Writes go through one in-process lane ({@link Store.exclusive}): two write transactions at once
 * on one embedded client deadlock it (ARCHITECTURE §8), and check-then-write steps (dedup,
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
  type UrlGroupRecord,
} from './model.ts'
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
]

/** QStash keeps deduplication ids for 90 days. */
export const DEDUP_TTL_MS = 90 * 86_400_000

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
    if (statements.length > 0) await this.client.batch(statements, 'write')
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
    const where: string[] = []
    const args: (string | number)[] = []
    const anyOf = (column: string, values: (string | number)[] | undefined) => {
      if (values === undefined) return
      where.push(values.length === 0 ? '0' : `${column} IN (${values.map(() => '?').join(', ')})`)
      args.push(...values)
    }
    anyOf('dlq_id', filter.dlqIds)
    anyOf('message_id', filter.messageIds)
    anyOf('url', filter.urls)
    anyOf('topic_name', filter.topicNames)
    anyOf('queue_name', filter.queueNames)
    if (filter.labels !== undefined) {
      // The column holds the comma-joined header: match any one label as a whole list item.
      const labels = filter.labels
      where.push(labels.length === 0 ? '0' : `(${labels.map(() => "instr(',' || label || ',', ',' || ? || ',') > 0").join(' OR ')})`)
      args.push(...labels)
    }
    anyOf('response_status', filter.responseStatuses)
    // Fields only the message spec holds (so rows written before they existed still match).
    anyOf("json_extract(spec, '$.callerIp')", filter.callerIps)
    anyOf("json_extract(spec, '$.scheduleId')", filter.scheduleIds)
    anyOf("json_extract(spec, '$.flowControl.key')", filter.flowControlKeys)
    // No message goes to a QStash API here: an api filter matches nothing (never everything).
    if (filter.apis !== undefined) where.push('0')
    if (filter.fromDate !== undefined) {
      where.push('created_at >= ?')
      args.push(filter.fromDate)
    }
    if (filter.toDate !== undefined) {
      where.push('created_at <= ?')
      args.push(filter.toDate)
    }
    if (filter.afterSeq !== undefined) {
      where.push('seq > ?')
      args.push(filter.afterSeq)
    }
    const sql = `SELECT * FROM dlq ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq${
      filter.limit === undefined ? '' : ` LIMIT ${Math.floor(filter.limit)}`
    }`
    const { rows } = await this.client.execute({ sql, args })
    return rows.map(dlqFromRow)
  }

  async getDlq(dlqId: string): Promise<DlqRecord | undefined> {
    return (await this.listDlq({ dlqIds: [dlqId] }))[0]
  }

  // ---- url groups ----

  async getUrlGroup(name: string): Promise<UrlGroupRecord | undefined> {
    const { rows } = await this.client.execute({ sql: 'SELECT * FROM url_groups WHERE name = ?', args: [name] })
    return rows[0] === undefined ? undefined : groupFromRow(rows[0])
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
  insertDedup(key: string, response: unknown, now: number): InStatement {
    // REPLACE: an expired entry with the same key may still be in the table.
    return {
      sql: 'INSERT OR REPLACE INTO dedup (key, response, created_at) VALUES (?, ?, ?)',
      args: [key, JSON.stringify(response), now],
    }
  },
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
