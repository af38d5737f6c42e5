import { describe, expect, it } from 'bun:test'
import { figureLine, runChaos } from '../../bench/chaos.ts'

describe('fault injection (short; `bun run soak` is the long run)', () => {
  it('crashes, broker outages and flaky deliveries lose nothing and duplicate nothing', async () => {
    const figures = await runChaos({ orders: 60, kills: 3, brokerOutages: 1, concurrency: 6, faultRate: 0.15, seed: 7 })
    console.log(figureLine(figures))
    expect(figures.problems).toEqual([])
    expect(figures).toMatchObject({ kills: 3, brokerOutages: 1, orders: 60, lost: 0, duplicatedEffects: 0, phantomEvents: 0, unfinished: 0 })
    expect(figures.injectedFaults).toBeGreaterThan(0)
  }, 240_000)
})
