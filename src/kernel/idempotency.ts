import { HeraldError } from './errors.ts'
import type { Statement } from './ports.ts'
import type { UnitOfWork } from './unit-of-work.ts'

export interface StoredResponse {
  readonly fingerprint: string
  readonly status: number
  readonly body: unknown
}

/** Where first responses to idempotency keys are kept. `record` is staged in the command's batch. */
export interface IdempotencyStore {
  find(key: string): Promise<StoredResponse | undefined>
  record(key: string, response: StoredResponse, at: string): Statement
}

export class IdempotencyKeyReused extends HeraldError {
  constructor() {
    super('IDEMPOTENCY.KEY_REUSED', 'This Idempotency-Key was already used with a different request body', 'unprocessable')
  }
}

export interface Idempotent<R> {
  readonly status: number
  readonly body: R
  /** True when this is the stored first response, not a new execution. */
  readonly replayed: boolean
}

/** A request's `Idempotency-Key` and what scopes it. */
export interface IdempotencyRequest {
  /** The command's name (`startOrder`): a key means one thing per command. */
  readonly command: string
  /**
   * Who sent it (`user:alice`): callers never share keys, so nobody can replay, probe or squat
   * another caller's. Undefined only where every caller is the same one (development).
   */
  readonly caller: string | undefined
  /** The client's `Idempotency-Key`; undefined: no idempotency asked for. */
  readonly key: string | undefined
  /** A digest of the request, to tell a replay from a different request under the same key. */
  readonly fingerprint: string
}

/** The key a response is stored under: command, caller and client key, spelled so no two scopes can meet. */
export const scopedIdempotencyKey = (request: Pick<IdempotencyRequest, 'command' | 'caller' | 'key'>): string =>
  JSON.stringify([request.command, request.caller ?? null, request.key])

/**
 * Wraps a command so a repeated key (of the same command and caller) returns the first response
 * instead of running again. The record is committed in the same batch as the command, so a
 * response is stored iff the command committed; two racing requests with one key collide on the
 * key and the loser, retried, finds the winner's response.
 *
 * @example
 * runner.run(idempotent(store, { command: 'startOrder', caller, key, fingerprint }, 201, (uow) => startOrder(uow, input)))
 */
export function idempotent<R>(
  store: IdempotencyStore,
  request: IdempotencyRequest,
  status: number,
  work: (uow: UnitOfWork) => Promise<R>,
): (uow: UnitOfWork) => Promise<Idempotent<R>> {
  return async (uow) => {
    const { fingerprint } = request
    if (request.key === undefined) return { status, body: await work(uow), replayed: false }
    const key = scopedIdempotencyKey(request)
    const prior = await store.find(key)
    if (prior) {
      if (prior.fingerprint !== fingerprint) throw new IdempotencyKeyReused()
      return { status: prior.status, body: prior.body as R, replayed: true }
    }
    const body = await work(uow)
    uow.stage(store.record(key, { fingerprint, status, body }, uow.now))
    return { status, body, replayed: false }
  }
}
