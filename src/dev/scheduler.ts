/**
 * Decides WHEN each pending message is attempted; knows nothing about HTTP or storage.
 *
 * - A min-heap of due times and one timer armed for the earliest: the loop sleeps until the next
 *   message is due (no polling) and {@link wake} runs it at once after a publish.
 * - At most `concurrency` attempts in flight.
 * - Queues are FIFO: only the first `parallelism` (default 1) messages of a queue are eligible, so
 *   the next one starts only after the previous finished (delivered, dead-lettered or cancelled);
 *   a head waiting out its backoff holds the queue, as in QStash.
 * - Flow-control keys ({@link FlowGates}) admit a due message or park it until the key has room.
 */
import { type Clock, systemClock } from './clock.ts'
import { FlowGates } from './flow-control.ts'
import type { MessageRecord } from './model.ts'

interface Entry {
  at: number
  seq: number
  message: MessageRecord
  token: number
}

interface QueueState {
  parallelism: number
  paused: boolean
  /** Pending messages of the queue in acceptance order. */
  items: MessageRecord[]
  /** Ids already handed to the heap or in flight. */
  active: Set<string>
}

/** setTimeout overflows past 2^31-1 ms; far-off messages just get a re-check. */
const MAX_TIMER_MS = 2 ** 31 - 1

export class Scheduler {
  private readonly heap: Entry[] = []
  /** id → token of its one live heap entry; older entries are stale and skipped. */
  private readonly live = new Map<string, number>()
  private readonly inFlight = new Set<string>()
  private readonly queues = new Map<string, QueueState>()
  private nextToken = 0
  private timer: unknown
  private timerAt = Infinity
  private stopped = false
  readonly flows: FlowGates
  private readonly now: () => number

  constructor(
    private readonly concurrency: number,
    private readonly dispatch: (message: MessageRecord) => void,
    private readonly clock: Clock = systemClock,
  ) {
    this.now = () => clock.now()
    this.flows = new FlowGates((messages) => {
      for (const message of messages) this.push(message)
      this.wake()
    }, clock)
  }

  get inFlightCount(): number {
    return this.inFlight.size
  }

  /** A newly accepted (or reloaded) pending message. */
  add(message: MessageRecord): void {
    if (message.flowControl) this.flows.configure(message.flowControl)
    if (message.queueName === undefined) this.push(message)
    else {
      const queue = this.queue(message.queueName)
      queue.items.push(message)
      this.activate(queue)
    }
    this.wake()
  }

  /** The message stays pending with a new `nextAt` (a retry): it keeps its place in its queue. */
  reschedule(message: MessageRecord): void {
    this.push(message)
    this.wake()
  }

  /** The message is no longer pending (delivered, dead-lettered, cancelled). */
  remove(message: MessageRecord): void {
    this.live.delete(message.id)
    this.flows.forget(message)
    if (message.queueName !== undefined) {
      const queue = this.queues.get(message.queueName)
      if (queue) {
        queue.active.delete(message.id)
        const index = queue.items.findIndex((item) => item.id === message.id)
        if (index >= 0) queue.items.splice(index, 1)
        this.activate(queue)
      }
    }
    this.wake()
  }

  /** An attempt is over (its outcome already applied): frees its concurrency slot. */
  release(message: MessageRecord): void {
    this.inFlight.delete(message.id)
    this.flows.release(message)
    this.wake()
  }

  configureQueue(name: string, config: { parallelism: number; paused: boolean }): void {
    const queue = this.queue(name)
    queue.parallelism = Math.max(1, config.parallelism)
    queue.paused = config.paused
    this.activate(queue)
    this.wake()
  }

  /** Number of pending messages per queue (the queue API's `lag`). */
  queueLag(name: string): number {
    return this.queues.get(name)?.items.length ?? 0
  }

  /** Runs the loop soon (on a fresh macrotask, so a burst of publishes is handled in one pass). */
  wake(): void {
    if (this.stopped || this.timerAt === 0) return
    this.arm(0)
  }

  stop(): void {
    this.stopped = true
    this.flows.stop()
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer)
    this.timer = undefined
  }

  private queue(name: string): QueueState {
    let queue = this.queues.get(name)
    if (!queue) {
      queue = { parallelism: 1, paused: false, items: [], active: new Set() }
      this.queues.set(name, queue)
    }
    return queue
  }

  private activate(queue: QueueState): void {
    if (queue.paused) return
    const limit = Math.min(queue.parallelism, queue.items.length)
    for (let index = 0; index < limit; index++) {
      const item = queue.items[index] as MessageRecord
      if (!queue.active.has(item.id)) {
        queue.active.add(item.id)
        this.push(item)
      }
    }
  }

  private push(message: MessageRecord): void {
    const token = ++this.nextToken
    this.live.set(message.id, token)
    this.heapPush({ at: message.nextAt, seq: message.seq, message, token })
  }

  private arm(delay: number): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer)
    this.timerAt = delay === 0 ? 0 : this.now() + delay
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined
      this.timerAt = Infinity
      this.tick()
    }, delay)
  }

  private tick(): void {
    if (this.stopped) return
    const now = this.now()
    while (this.inFlight.size < this.concurrency) {
      const top = this.peekLive()
      if (!top || top.at > now) break
      this.heapPop()
      const { message } = top
      this.live.delete(message.id)
      const queue = message.queueName === undefined ? undefined : this.queues.get(message.queueName)
      if (queue?.paused) {
        // Paused after it was activated: park it; resuming re-activates it.
        queue.active.delete(message.id)
        continue
      }
      if (!this.flows.admit(message)) continue // parked in its key's wait list
      this.inFlight.add(message.id)
      this.dispatch(message)
    }
    // A full pipe is re-woken by release(); otherwise sleep until the next due message.
    const next = this.peekLive()
    if (next && this.inFlight.size < this.concurrency) this.arm(Math.min(Math.max(0, next.at - now), MAX_TIMER_MS))
  }

  private peekLive(): Entry | undefined {
    let top = this.heap[0]
    while (top && this.live.get(top.message.id) !== top.token) {
      this.heapPop()
      top = this.heap[0]
    }
    return top
  }

  // ---- binary min-heap on (at, seq) ----

  private less(a: Entry, b: Entry): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq)
  }

  private heapPush(entry: Entry): void {
    const heap = this.heap
    heap.push(entry)
    let index = heap.length - 1
    while (index > 0) {
      const parent = (index - 1) >> 1
      if (!this.less(heap[index] as Entry, heap[parent] as Entry)) break
      ;[heap[index], heap[parent]] = [heap[parent] as Entry, heap[index] as Entry]
      index = parent
    }
  }

  private heapPop(): Entry | undefined {
    const heap = this.heap
    const top = heap[0]
    const last = heap.pop()
    if (heap.length > 0 && last !== undefined) {
      heap[0] = last
      let index = 0
      for (;;) {
        const left = 2 * index + 1
        const right = left + 1
        let smallest = index
        if (left < heap.length && this.less(heap[left] as Entry, heap[smallest] as Entry)) smallest = left
        if (right < heap.length && this.less(heap[right] as Entry, heap[smallest] as Entry)) smallest = right
        if (smallest === index) break
        ;[heap[index], heap[smallest]] = [heap[smallest] as Entry, heap[index] as Entry]
        index = smallest
      }
    }
    return top
  }
}
