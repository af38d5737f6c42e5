/**
 * Cron schedules (`/v2/schedules`). Each one has a timer for its next firing; a firing publishes
 * one message (one per endpoint for a URL group) carrying `Upstash-Schedule-Id`, and commits the
 * schedule's next due time in the same transaction, so a restart never fires the same run twice.
 * A run missed while the broker was down (or while a firing was refused) fires once on start,
 * not once per missed slot. Paused schedules do not fire; resuming starts from the next slot.
 */
import type { Clock } from './clock.ts'
import { type Cron, CronError, nextFiring, parseCron } from './cron.ts'
import type { Engine, ItemResult } from './engine.ts'
import { HttpError, newId, type ScheduleRecord } from './model.ts'
import type { Destination, PublishOptions } from './model.ts'
import { type Store, sql } from './store.ts'

/** setTimeout overflows past 2^31-1 ms; a far-off firing just gets a re-check. */
const MAX_TIMER_MS = 2 ** 31 - 1

export interface ScheduleInput {
  scheduleId?: string
  cron: string
  destination: Destination
  queueName?: string
  options: PublishOptions
  body: ScheduleRecord['body']
  callerIp?: string
}

export class Schedules {
  private readonly schedules = new Map<string, ScheduleRecord>()
  private readonly timers = new Map<string, unknown>()
  private stopped = false

  private constructor(
    private readonly engine: Engine,
    private readonly clock: Clock,
    private readonly log: (line: string) => void,
  ) {}

  static async start(engine: Engine, store: Store, log = (line: string) => console.error(line)): Promise<Schedules> {
    const schedules = new Schedules(engine, engine.clock, log)
    for (const schedule of await store.loadSchedules()) {
      schedules.schedules.set(schedule.scheduleId, schedule)
      schedules.arm(schedule.scheduleId)
    }
    return schedules
  }

  stop(): void {
    this.stopped = true
    for (const timer of this.timers.values()) this.clock.clearTimeout(timer)
    this.timers.clear()
  }

  /** Creates the schedule, or replaces the one with the same id (keeping its creation time). */
  async upsert(input: ScheduleInput): Promise<string> {
    let cron: Cron
    try {
      cron = parseCron(input.cron)
    } catch (error) {
      if (error instanceof CronError) throw new HttpError(400, `invalid Upstash-Cron: ${error.message}`)
      throw error
    }
    const now = this.clock.now()
    let nextAt: number
    try {
      nextAt = nextFiring(cron, now)
    } catch (error) {
      throw new HttpError(400, `invalid Upstash-Cron: ${error instanceof Error ? error.message : String(error)}`)
    }
    const scheduleId = input.scheduleId ?? newId('scd')
    const known = this.schedules.get(scheduleId)
    const schedule: ScheduleRecord = {
      scheduleId,
      cron: input.cron,
      destination: input.destination,
      queueName: input.queueName,
      // Every firing is a new message: a deduplication id would swallow all but the first.
      options: { ...input.options, deduplicationId: undefined, contentBasedDeduplication: false, notBefore: undefined },
      body: input.body,
      callerIp: input.callerIp,
      createdAt: known?.createdAt ?? now,
      paused: known?.paused ?? false,
      nextAt,
      lastAt: known?.lastAt,
      lastMessageIds: known?.lastMessageIds,
    }
    await this.engine.commit([sql.upsertSchedule(schedule)])
    this.schedules.set(scheduleId, schedule)
    this.arm(scheduleId)
    return scheduleId
  }

  get(id: string): ScheduleRecord | undefined {
    return this.schedules.get(id)
  }

  list(): ScheduleRecord[] {
    return [...this.schedules.values()].sort((a, b) => a.createdAt - b.createdAt || (a.scheduleId < b.scheduleId ? -1 : 1))
  }

  async delete(id: string): Promise<void> {
    this.mustExist(id)
    await this.engine.commit([sql.deleteSchedule(id)])
    this.schedules.delete(id)
    this.disarm(id)
  }

  async setPaused(id: string, paused: boolean): Promise<void> {
    const known = this.mustExist(id)
    const now = this.clock.now()
    // Resuming starts from the next slot: runs missed while paused do not fire.
    const schedule = { ...known, paused, nextAt: paused ? known.nextAt : nextFiring(parseCron(known.cron), now) }
    await this.engine.commit([sql.upsertSchedule(schedule)])
    this.schedules.set(id, schedule)
    this.arm(id)
  }

  private mustExist(id: string): ScheduleRecord {
    const schedule = this.schedules.get(id)
    if (!schedule) throw new HttpError(404, `schedule ${id} not found`)
    return schedule
  }

  private disarm(id: string): void {
    const timer = this.timers.get(id)
    if (timer !== undefined) this.clock.clearTimeout(timer)
    this.timers.delete(id)
  }

  private arm(id: string): void {
    this.disarm(id)
    const schedule = this.schedules.get(id)
    if (!schedule || schedule.paused || this.stopped) return
    const delay = Math.min(Math.max(0, schedule.nextAt - this.clock.now()), MAX_TIMER_MS)
    this.timers.set(
      id,
      this.clock.setTimeout(() => {
        this.timers.delete(id)
        void this.fire(id)
      }, delay),
    )
  }

  private async fire(id: string): Promise<void> {
    if (this.stopped) return
    let fired: ScheduleRecord | undefined
    try {
      await this.engine
        .publishWith((now) => {
          // Checked again inside the write lane: it may have been paused, changed or deleted.
          const schedule = this.schedules.get(id)
          if (!schedule || schedule.paused || schedule.nextAt > now) return undefined
          fired = { ...schedule, lastAt: schedule.nextAt, nextAt: nextFiring(parseCron(schedule.cron), now) }
          return {
            items: [
              {
                destination: schedule.destination,
                queueName: schedule.queueName,
                options: schedule.options,
                body: schedule.body,
                callerIp: schedule.callerIp,
                scheduleId: id,
              },
            ],
            statements: [sql.upsertSchedule(fired)],
          }
        })
        .then((results) => {
          if (fired && results) this.schedules.set(id, { ...fired, lastMessageIds: messageIds(results) })
        })
    } catch (error) {
      // The run is lost (e.g. its URL group was deleted), as in QStash; the next one is kept.
      this.log(`[qstash-dev] schedule ${id} could not fire: ${String(error)}`)
      if (fired && !this.stopped) {
        const skipped: ScheduleRecord = { ...fired, lastMessageIds: [] }
        await this.engine.commit([sql.upsertSchedule(skipped)]).then(
          () => this.schedules.set(id, skipped),
          (commitError) => this.log(`[qstash-dev] schedule ${id}: ${String(commitError)}`),
        )
      }
    }
    this.arm(id)
  }
}

function messageIds(results: ItemResult[]): string[] {
  return results.flatMap((result) => (Array.isArray(result) ? result : [result]).map((entry) => entry.messageId))
}
