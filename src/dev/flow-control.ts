/**
 * Flow control (`Upstash-Flow-Control-Key` / `-Value`): every message with a key, whatever its
 * destination, shares the key's limits — at most `parallelism` attempts in flight and at most
 * `rate` attempts started per `period`. A due message the key cannot admit waits in the key's
 * wait list (oldest first) until a slot frees, the period ends or the key is resumed. The last
 * accepted message with a key sets its limits, as in QStash.
 */
import type { Clock } from './clock.ts'
import type { FlowControlSpec, MessageRecord } from './model.ts'

interface FlowState {
  parallelism?: number
  rate?: number
  periodMs: number
  paused: boolean
  inFlight: number
  /** Start of the current rate period and the attempts started in it. */
  periodStart: number
  periodCount: number
  /** Due messages waiting for the key, in acceptance order. */
  waiting: MessageRecord[]
  /** Armed when the rate holds messages back: the period's end frees them. */
  timer?: unknown
}

/** What `GET /v2/flowControl/{key}` shows (the SDK's `FlowControlInfo`). */
export interface FlowControlInfo {
  flowControlKey: string
  waitListSize: number
  parallelismMax: number
  parallelismCount: number
  rateMax: number
  rateCount: number
  ratePeriod: number
  ratePeriodStart: number
  isPaused: boolean
  isPinnedParallelism: boolean
  isPinnedRate: boolean
}

const DEFAULT_PERIOD_MS = 1000

export class FlowGates {
  private readonly keys = new Map<string, FlowState>()
  private stopped = false
  private readonly now: () => number

  /** @param unpark hands waiting messages back to the scheduler to be attempted now. */
  constructor(
    private readonly unpark: (messages: MessageRecord[]) => void,
    private readonly clock: Clock,
  ) {
    this.now = () => clock.now()
  }

  /** A message with this spec was accepted (or reloaded): its limits become the key's. */
  configure(spec: FlowControlSpec): void {
    const state = this.state(spec.key)
    state.parallelism = spec.parallelism
    state.rate = spec.rate
    state.periodMs = spec.periodMs ?? DEFAULT_PERIOD_MS
    this.drain(spec.key)
  }

  setPaused(key: string, paused: boolean): void {
    this.state(key).paused = paused
    this.drain(key)
  }

  /** Starts the current rate period afresh (the SDK's `resetRate`). */
  resetRate(key: string): void {
    const state = this.state(key)
    state.periodStart = this.now()
    state.periodCount = 0
    this.drain(key)
  }

  /** Takes a slot for a due message, or parks it in the key's wait list and answers false. */
  admit(message: MessageRecord): boolean {
    const key = message.flowControl?.key
    if (key === undefined) return true
    const state = this.state(key)
    // Older waiting messages go first: a newcomer may not overtake them.
    const overtakes = state.waiting.length > 0 && (state.waiting[0] as MessageRecord).seq < message.seq
    if (overtakes || !this.hasSlot(key, state)) {
      this.park(state, message)
      return false
    }
    state.inFlight += 1
    state.periodCount += 1
    return true
  }

  /** An admitted attempt is over. */
  release(message: MessageRecord): void {
    const key = message.flowControl?.key
    const state = key === undefined ? undefined : this.keys.get(key)
    if (key === undefined || !state) return
    state.inFlight = Math.max(0, state.inFlight - 1)
    this.drain(key)
  }

  /** A waiting message was cancelled. */
  forget(message: MessageRecord): void {
    const key = message.flowControl?.key
    const state = key === undefined ? undefined : this.keys.get(key)
    if (!state) return
    const index = state.waiting.findIndex((waiting) => waiting.id === message.id)
    if (index >= 0) state.waiting.splice(index, 1)
  }

  info(key: string): FlowControlInfo | undefined {
    const state = this.keys.get(key)
    if (!state) return undefined
    this.rollPeriod(state)
    return {
      flowControlKey: key,
      waitListSize: state.waiting.length,
      parallelismMax: state.parallelism ?? 0,
      parallelismCount: state.inFlight,
      rateMax: state.rate ?? 0,
      rateCount: state.periodCount,
      ratePeriod: state.periodMs / 1000,
      ratePeriodStart: state.periodStart,
      isPaused: state.paused,
      isPinnedParallelism: false,
      isPinnedRate: false,
    }
  }

  list(): FlowControlInfo[] {
    return [...this.keys.keys()].sort().flatMap((key) => this.info(key) ?? [])
  }

  stop(): void {
    this.stopped = true
    for (const state of this.keys.values()) if (state.timer !== undefined) this.clock.clearTimeout(state.timer)
  }

  private state(key: string): FlowState {
    let state = this.keys.get(key)
    if (!state) {
      state = { periodMs: DEFAULT_PERIOD_MS, paused: false, inFlight: 0, periodStart: this.now(), periodCount: 0, waiting: [] }
      this.keys.set(key, state)
    }
    return state
  }

  private rollPeriod(state: FlowState): void {
    const now = this.now()
    if (now >= state.periodStart + state.periodMs) {
      state.periodStart = now
      state.periodCount = 0
    }
  }

  private hasSlot(key: string, state: FlowState): boolean {
    if (state.paused) return false
    if (state.parallelism !== undefined && state.inFlight >= state.parallelism) return false
    if (state.rate === undefined) return true
    this.rollPeriod(state)
    if (state.periodCount < state.rate) return true
    this.armPeriodEnd(key, state)
    return false
  }

  private park(state: FlowState, message: MessageRecord): void {
    let index = state.waiting.length
    while (index > 0 && (state.waiting[index - 1] as MessageRecord).seq > message.seq) index--
    state.waiting.splice(index, 0, message)
  }

  /** Hands back as many waiting messages as the key can admit now (they are admitted again then). */
  private drain(key: string): void {
    const state = this.keys.get(key)
    if (!state || state.waiting.length === 0 || this.stopped || !this.hasSlot(key, state)) return
    const parallel = state.parallelism === undefined ? Infinity : state.parallelism - state.inFlight
    const rated = state.rate === undefined ? Infinity : state.rate - state.periodCount
    const freed = state.waiting.splice(0, Math.max(0, Math.min(parallel, rated)))
    if (freed.length > 0) this.unpark(freed)
  }

  private armPeriodEnd(key: string, state: FlowState): void {
    if (state.timer !== undefined || this.stopped) return
    state.timer = this.clock.setTimeout(
      () => {
        state.timer = undefined
        this.drain(key)
      },
      Math.max(0, state.periodStart + state.periodMs - this.now()),
    )
  }
}
