import type { Statement } from '../../kernel/index.ts'
import { abortUnless, type Database } from './database.ts'
import type { EventStoreReader, StoredEvent } from './event-store.ts'
import { defaultSealing, type Sealing, type SubjectCipher } from './personal-data-cipher.ts'

/**
 * Crypto-shredding: personal data is stored only sealed with its subject's own data key, and the
 * key lives in one row of `personal_data_keys`. Events are immutable and kept forever; deleting
 * that one row makes every sealed copy of the subject's data unreadable at once, while the
 * events themselves still load, replay and reconcile (they compare sealed strings).
 *
 * AES-256-GCM through `node:crypto` where the runtime has it, else WebCrypto (`crypto.subtle`), so
 * it runs on Bun, Deno, Node and Workers, each giving the same bytes (personal-data-cipher.ts). The IV is
 * synthetic: the first 12 bytes of HMAC-SHA-256(subject's MAC key, text). The same text sealed
 * twice gives the same string, so the domain can still compare sealed values (is this card on
 * file already?) and a retried command writes what the first attempt wrote; two different texts
 * never share an IV except by a 2^-96 collision. What it leaks is equality of two values of one
 * subject, which the domain needs anyway.
 */

/** What a sealed value reads as once its subject's key was erased. */
export const ERASED = '[erased]'

const PREFIX = 'pd1'
const KEY_BYTES = 64 // 32 for AES-256-GCM, 32 for the HMAC that derives the IV
const CACHE_LIMIT = 10_000

export interface PersonalDataVault {
  /**
   * `pd1:<subject>:<iv>:<ciphertext>` (base64url). A subject's first seal makes its key and
   * `stage`s the key's INSERT in the sealing command's own batch (`uow.stage`): a command that
   * fails leaves no key behind, and of two processes making one subject's first key at once the
   * second one's batch trips `occ_guard` (a conflict), re-runs, and seals with the key that won.
   * Staging it more than once in a batch is harmless.
   */
  seal(subject: string, text: string, stage: (...statements: Statement[]) => void): Promise<string>
  /** Several values of one subject with one key lookup (what a command sealing a whole record wants). */
  sealAll(subject: string, texts: readonly string[], stage: (...statements: Statement[]) => void): Promise<string[]>
  /** The clear text of a sealed value, {@link ERASED} when its key is gone; any other string as it is. */
  open(value: string): Promise<string>
  /** A JSON value with every sealed string in it opened (a new value; the input is not changed). */
  openDeep<T>(value: T): Promise<T>
  /** The statement that deletes the subject's key: stage it in the erasing command's commit. */
  erase(subject: string): Statement
  /** Drops the subject's key from this process's cache: call it once the erasing commit is durable. */
  forget(subject: string): void
}

export const isSealed = (value: unknown): value is string => typeof value === 'string' && value.startsWith(`${PREFIX}:`)

/**
 * Longer than 80 lines: one closure over the vault's three caches (subjects' keys, keys made here
 * and not yet seen committed, values sealed or opened lately), which its named steps (find,
 * findOrMake, sealWith, make, open, openDeep) share; none of them is longer than a screen.
 */
export function personalDataVault(
  database: Database,
  clock: () => string = () => new Date().toISOString(),
  // Chosen at first use, not here: a Worker may build its vault at global scope.
  importKeys: Sealing = (material) => defaultSealing()(material),
): PersonalDataVault {
  const { client } = database
  const cache = new Map<string, SubjectCipher>()
  /**
   * Keys made here whose INSERT has not been seen committed yet: every command sealing with one
   * stages it again. Resolved values only, never promises: on Workers a request must not await
   * what another request started.
   */
  const pending = new Map<string, { keys: SubjectCipher; insert: readonly Statement[] }>()
  /** Values sealed or opened here lately, so a command's publishers do not decrypt what it just sealed. */
  const clear = new Map<string, string>()
  const CLEAR_LIMIT = 4096
  /** Sets `key` in a bounded map (the oldest entry goes first). */
  const remember = <V>(map: Map<string, V>, key: string, value: V, limit = CACHE_LIMIT) => {
    if (map.size >= limit) map.delete(map.keys().next().value!)
    map.set(key, value)
    return value
  }

  /** The subject's keys, or undefined when it has none (never had, or erased). Absence is not cached: another process may create the key. */
  async function find(subject: string): Promise<SubjectCipher | undefined> {
    const cached = cache.get(subject)
    if (cached) return cached
    const { rows } = await client.execute({ sql: 'SELECT key FROM personal_data_keys WHERE subject = ?', args: [subject] })
    const raw = rows[0]?.key
    if (raw == null) return undefined
    pending.delete(subject) // committed (by us or by another process, whose key wins)
    return remember(cache, subject, await importKeys(new Uint8Array(raw as ArrayBuffer)))
  }

  async function findOrMake(subject: string, stage: (...statements: Statement[]) => void): Promise<SubjectCipher> {
    const found = cache.get(subject) ?? (pending.has(subject) ? undefined : await find(subject))
    if (found) return found
    // Two commands of this process making one subject's first key at once: the second's batch
    // trips occ_guard, re-runs, and finds the winner's key (committed by then).
    const made = pending.get(subject) ?? remember(pending, subject, await make(subject))
    stage(...made.insert)
    return made.keys
  }

  async function sealWith(keys: SubjectCipher, subject: string, text: string): Promise<string> {
    const [iv, ciphertext] = await keys.seal(utf8(text), utf8(subject))
    const sealed = `${PREFIX}:${encodeURIComponent(subject)}:${toBase64Url(iv)}:${toBase64Url(ciphertext)}`
    remember(clear, sealed, text, CLEAR_LIMIT)
    return sealed
  }

  async function make(subject: string) {
    const material = crypto.getRandomValues(new Uint8Array(KEY_BYTES))
    const insert = [
      {
        sql: 'INSERT INTO personal_data_keys (subject, key, created_at) VALUES (?, ?, ?) ON CONFLICT (subject) DO NOTHING',
        args: [subject, material, clock()],
      },
      // Aborts the batch unless the stored key is ours: the command re-runs and finds the winner's.
      abortUnless({ sql: 'EXISTS (SELECT 1 FROM personal_data_keys WHERE subject = ? AND key = ?)', args: [subject, material] }),
    ]
    return { keys: await importKeys(material), insert }
  }

  async function open(value: string): Promise<string> {
    if (!isSealed(value)) return value
    const [, encodedSubject, iv, ciphertext] = value.split(':')
    if (encodedSubject === undefined || iv === undefined || ciphertext === undefined) return ERASED
    const subject = decodeURIComponent(encodedSubject)
    const known = clear.get(value)
    if (known !== undefined) return known
    // A key made by the command still running (its publishers open what it sealed) is not committed yet.
    const keys = pending.get(subject)?.keys ?? (await find(subject))
    if (!keys) return ERASED
    try {
      const opened = await keys.open(fromBase64Url(iv), fromBase64Url(ciphertext), utf8(subject))
      const text = new TextDecoder().decode(opened)
      remember(clear, value, text, CLEAR_LIMIT)
      return text
    } catch {
      // Sealed under a key that was erased (the subject has a newer one since), or mangled: unreadable for good.
      return ERASED
    }
  }

  async function openDeep<T>(value: T): Promise<T> {
    if (typeof value === 'string') return (await open(value)) as T
    if (Array.isArray(value)) return (await Promise.all(value.map((item) => openDeep(item)))) as T
    if (value !== null && typeof value === 'object') {
      const entries = await Promise.all(Object.entries(value).map(async ([k, v]) => [k, await openDeep(v)] as const))
      return Object.fromEntries(entries) as T
    }
    return value
  }

  return {
    // Whatever the caller sent is sealed, even text that looks sealed already: a caller's
    // `pd1:…` must not be stored in the clear, outliving the erasure.
    async seal(subject, text, stage) {
      return sealWith(await findOrMake(subject, stage), subject, text)
    },
    async sealAll(subject, texts, stage) {
      const keys = await findOrMake(subject, stage)
      return Promise.all(texts.map((text) => sealWith(keys, subject, text)))
    },
    open,
    openDeep,
    erase: (subject) => ({ sql: 'DELETE FROM personal_data_keys WHERE subject = ?', args: [subject] }),
    forget: (subject) => {
      cache.delete(subject)
      pending.delete(subject)
      const prefix = `${PREFIX}:${encodeURIComponent(subject)}:`
      for (const sealed of clear.keys()) if (sealed.startsWith(prefix)) clear.delete(sealed)
    },
  }
}

/** An event store reader whose events show personal data opened (for the routes that show events; replay keeps the sealed reader). */
export function revealingReader(events: EventStoreReader, vault: Pick<PersonalDataVault, 'openDeep'>): EventStoreReader {
  const reveal = async (event: StoredEvent): Promise<StoredEvent> => ({ ...event, data: await vault.openDeep(event.data) })
  return {
    stream: async (aggregateType, aggregateId) => Promise.all((await events.stream(aggregateType, aggregateId)).map(reveal)),
    query: async (query) => Promise.all((await events.query(query)).map(reveal)),
  }
}

const encoder = new TextEncoder()
const utf8 = (text: string) => encoder.encode(text)

type NativeBase64 = (options: { alphabet: 'base64url'; omitPadding: boolean }) => string

function toBase64Url(bytes: Uint8Array): string {
  // Uint8Array.prototype.toBase64 (Bun, recent V8s) is 4× the loop's speed and gives the same text.
  const native = (bytes as Uint8Array & { toBase64?: NativeBase64 }).toBase64
  if (native) return native.call(bytes, { alphabet: 'base64url', omitPadding: true })
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '')
}

function fromBase64Url(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text.replaceAll('-', '+').replaceAll('_', '/'))
  return Uint8Array.from(binary, (c) => c.charCodeAt(0))
}
