// The package.json that ships in the tarball is the library's, not the reference service's.
// This repository's package.json serves both: the reference service needs Bun to run
// (`npm start` after `npm install --omit=dev`), the library must not make its users install a
// runtime. `npm pack` runs `prepack` (this script with `pack`: keep the service's manifest
// aside, write the library's) and, once the tarball is written, `postpack` (`restore`).
// Plain Node, no dependencies: npm runs it before anything is built.
import { copyFileSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs'

const MANIFEST = 'package.json'
const KEPT = '.package.service.json'
/** What the reference service needs and the library does not. */
const SERVICE_ONLY_DEPENDENCIES = ['bun']

export function libraryManifest(service) {
  const { devDependencies, scripts, private: _private, ...manifest } = service
  const dependencies = Object.fromEntries(Object.entries(service.dependencies ?? {}).filter(([name]) => !SERVICE_ONLY_DEPENDENCIES.includes(name)))
  return { ...manifest, dependencies }
}

const step = process.argv[2]
if (step === 'pack') {
  if (existsSync(KEPT)) throw new Error(`${KEPT} exists: a previous pack did not finish; run \`node scripts/library-manifest.mjs restore\` first`)
  copyFileSync(MANIFEST, KEPT)
  const service = JSON.parse(readFileSync(MANIFEST, 'utf8'))
  writeFileSync(MANIFEST, `${JSON.stringify(libraryManifest(service), null, 2)}\n`)
} else if (step === 'restore') {
  if (existsSync(KEPT)) renameSync(KEPT, MANIFEST)
} else if (step !== undefined) {
  console.error('usage: node scripts/library-manifest.mjs pack|restore')
  process.exit(2)
}
