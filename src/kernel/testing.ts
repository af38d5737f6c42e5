import { canonicalJson } from './canonical-json.ts'
import { DomainError } from './errors.ts'
import type { EventShape } from './events.ts'
import type { AnyAggregate } from './ports.ts'

// biome-ignore lint/suspicious/noConfusingVoidType: an act either returns the new aggregate or nothing (a command method on the given one)
type Act<A> = (aggregate: A | undefined) => A | void

/**
 * Specification-style tests for aggregates: given past events, when a command runs, then these
 * events are recorded (or this domain error is thrown).
 *
 * @example
 * const spec = aggregateSpec((events) => events.length ? Order.fromHistory('o-1', events) : undefined)
 * spec.given([started, paid]).when((order) => order!.cancel()).thenThrows('ORDER.INVALID_TRANSITION')
 * spec.given([started]).when((order) => order!.ship()).thenThrows('ORDER.INVALID_TRANSITION')
 */
export function aggregateSpec<A extends AnyAggregate, E extends EventShape>(rehydrate: (events: readonly E[]) => A | undefined) {
  return {
    given(events: readonly E[]) {
      return {
        when(act: Act<A>) {
          return new Outcome(() => {
            const aggregate = rehydrate(events)
            return act(aggregate) ?? aggregate
          })
        },
      }
    },
  }
}

class Outcome<A extends AnyAggregate> {
  constructor(private readonly run: () => A | undefined) {}

  /** Asserts the recorded events' types and data, in order. */
  // biome-ignore lint/suspicious/noThenProperty: given/when/then is the spec's vocabulary; `when` is synchronous, so nothing awaits an Outcome
  then(expected: readonly EventShape[]): A {
    const aggregate = this.run()
    const recorded = (aggregate?.pullEvents() ?? []).map(({ type, data }) => ({ type, data }))
    const want = expected.map(({ type, data }) => ({ type, data }))
    if (!deepEqual(recorded, want)) {
      throw new Error(`Expected events\n${JSON.stringify(want, null, 2)}\nbut got\n${JSON.stringify(recorded, null, 2)}`)
    }
    return aggregate as A
  }

  /** Asserts the command throws a {@link DomainError} with `code` and records nothing. */
  thenThrows(code: string): void {
    try {
      this.run()
    } catch (error) {
      if (error instanceof DomainError && error.code === code) return
      throw new Error(`Expected DomainError ${code} but got ${String(error)}`)
    }
    throw new Error(`Expected DomainError ${code} but the command succeeded`)
  }
}

function deepEqual(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b)
}
