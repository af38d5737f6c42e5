/** Coalesces refresh requests: many notices within a few ms become one round of loads. */

export type Part = 'subjects' | 'timeline' | 'outbox' | 'dead'
export type Schedule = (parts: readonly Part[], delay?: number) => void
export const EVERYTHING: readonly Part[] = ['subjects', 'timeline', 'outbox', 'dead']

export function createScheduler(load: Readonly<Record<Part, () => Promise<void>>>): Schedule {
  const dirty = new Set<Part>()
  let timer: ReturnType<typeof setTimeout> | null = null
  let running = false

  async function run(): Promise<void> {
    timer = null
    if (running) {
      timer = setTimeout(run, 60)
      return
    }
    running = true
    const parts = new Set(dirty)
    dirty.clear()
    try {
      const jobs: Promise<void>[] = []
      if (parts.has('subjects')) jobs.push(load.subjects())
      if (parts.has('dead')) jobs.push(load.dead())
      if (parts.has('outbox')) jobs.push(load.outbox())
      await Promise.all(jobs)
      // The timeline marks dead letters, so it follows them.
      if (parts.has('timeline') || parts.has('dead')) await load.timeline()
    } finally {
      running = false
    }
  }

  return function schedule(parts, delay = 60) {
    for (const part of parts) dirty.add(part)
    if (timer !== null) return
    timer = setTimeout(run, delay)
  }
}
