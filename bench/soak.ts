import { figureLine, runChaos } from './chaos.ts'

// bun run soak: the long fault-injection run (a short one runs in the test suite).
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? Number(process.argv[i + 1]) : fallback
}
const figures = await runChaos({
  orders: arg('orders', 3000),
  kills: arg('kills', 24),
  brokerOutages: arg('outages', 4),
  concurrency: arg('concurrency', 16),
  faultRate: arg('faults', 0.1),
  seed: arg('seed', Date.now() % 100000),
  log: (line) => console.log(`[soak] ${line}`),
})
for (const problem of figures.problems) console.log(`[soak] problem: ${problem}`)
console.log(figureLine(figures))
process.exit(figures.lost + figures.duplicatedEffects + figures.phantomEvents + figures.unfinished + figures.problems.length === 0 ? 0 : 1)
