/**
 * `bun --preload bench/experiments/preload.ts …` with BENCH_EXPERIMENTS=name,… applies those
 * experiments' source patches (bench/experiments/patches.ts) as the files load. Bench-only:
 * src/ and routes/ on disk are never touched.
 */
import { plugin } from 'bun'
import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { type SourcePatch, sourcePatches } from './patches.ts'

const root = resolve(import.meta.dir, '../..')
const names = (process.env.BENCH_EXPERIMENTS ?? '').split(',').filter(Boolean)
const byFile = new Map<string, SourcePatch['edits'][number][]>()
for (const name of names) {
  for (const patch of sourcePatches[name] ?? []) {
    const path = join(root, patch.file)
    byFile.set(path, [...(byFile.get(path) ?? []), ...patch.edits])
  }
}

if (byFile.size > 0) {
  const escaped = [...byFile.keys()].map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
  plugin({
    name: 'herald-bench-patches',
    setup(build) {
      build.onLoad({ filter: new RegExp(`^(${escaped.join('|')})$`) }, (args) => {
        let contents = readFileSync(args.path, 'utf8')
        for (const { find, replace } of byFile.get(args.path) ?? []) {
          const first = contents.indexOf(find)
          if (first < 0 || contents.indexOf(find, first + 1) >= 0) {
            throw new Error(`bench patch for ${args.path} no longer applies (expected exactly one match of ${JSON.stringify(find.slice(0, 60))}…)`)
          }
          contents = contents.slice(0, first) + replace + contents.slice(first + find.length)
        }
        return { contents, loader: 'ts' }
      })
    },
  })
}
