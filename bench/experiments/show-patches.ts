/**
 * Prints each source-patch experiment as a unified diff against the current tree:
 * `bun run bench/experiments/show-patches.ts [name…]` — the exact change to apply to src/ or
 * routes/ once a proposal is accepted.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { sourcePatches } from './patches.ts'

const root = resolve(import.meta.dir, '../..')
const names = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(sourcePatches)
const dir = mkdtempSync(join(tmpdir(), 'herald-patches-'))
for (const name of names) {
  for (const patch of sourcePatches[name] ?? []) {
    let contents = readFileSync(join(root, patch.file), 'utf8')
    for (const { find, replace } of patch.edits) {
      if (!contents.includes(find)) throw new Error(`${name}: ${patch.file} no longer contains ${JSON.stringify(find.slice(0, 60))}`)
      contents = contents.replace(find, () => replace)
    }
    const after = join(dir, `${name}.ts`)
    writeFileSync(after, contents)
    const diff = Bun.spawnSync(['diff', '-u', '--label', `a/${patch.file}`, '--label', `b/${patch.file}`, join(root, patch.file), after])
    console.log(`# ${name}\n${diff.stdout.toString()}`)
  }
}
rmSync(dir, { recursive: true, force: true })
