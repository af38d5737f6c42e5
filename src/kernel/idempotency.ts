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

/**
 * Wraps a command so a repeated `key` returns the first response instead of running again.
 * The record is committed in the same batch as the command, so a response is stored iff the
 * command committed; two racing requests with one key collide on the key and the loser, retried,
 * finds the winner's response.
 *
 * @example
 * runner.run(idempotent(store, { key, fingerprint }, 201, (uow) => startOrder(uow, input)))
 */
export function idempotent<R>(
  store: IdempotencyStore,
  request: { readonly key: string | undefined; readonly fingerprint: string },
  status: number,
  work: (uow: UnitOfWork) => Promise<R>,
): (uow: UnitOfWork) => Promise<Idempotent<R>> {
  return async (uow) => {
    const { key, fingerprint } = request
    if (key === undefined) return { status, body: await work(uow), replayed: false }
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
