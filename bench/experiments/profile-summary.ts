/**
 * A `.cpuprofile` (from `bun --cpu-prof`) summed by where the CPU went:
 *
 *   bun run bench/experiments/profile-summary.ts <file.cpuprofile> <requests> [--callers <function>]
 *
 * Counts samples, not their time deltas: on a busy machine a descheduled process hands one
 * sample a delta of tens of ms, which would crown whatever native frame it happened to stop in.
 * At Bun's 1 ms interval a sample is ~1 ms of CPU, divided by `requests` for µs per request.
 * `--callers parse` shows the three frames above each sample of a native function instead.
 */
import { readFileSync } from 'node:fs'

interface Profile {
  readonly nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[]
  readonly samples: number[]
}

const [file, requestsArg] = process.argv.slice(2)
if (!file) throw new Error('usage: profile-summary.ts <file.cpuprofile> <requests> [--callers <function>]')
const requests = Number(requestsArg ?? 1)
const callersOf = process.argv.includes('--callers') ? process.argv[process.argv.indexOf('--callers') + 1] : undefined
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile
const byId = new Map(profile.nodes.map((n) => [n.id, n]))
const parent = new Map<number, number>()
for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n.id)

const WEBCRYPTO = new Set(['sign', 'verify', 'encrypt', 'decrypt', 'digest', 'importKey'])

/** Which part of the stack a frame belongs to: a package, a folder of src/, or a named native. */
function category(functionName: string, url: string): string {
  if (functionName.startsWith('libsql_js::')) return `libsql native: ${functionName.split('::').at(-1)}`
  if (!url && WEBCRYPTO.has(functionName)) return `WebCrypto ${functionName}`
  if (!url && (functionName === 'stringify' || functionName === 'parse')) return `JSON.${functionName}`
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1]
  if (pkg) return pkg
  const own = /\/((?:src|routes|bench)\/[^/]+(?:\/[^/.]+(?=\/))?)/.exec(url)?.[1]
  if (own) return own
  return url ? url : 'other native'
}

const frame = (id: number) => {
  const f = byId.get(id)!.callFrame
  return `${f.functionName || '(anonymous)'} ${f.url.replace(/.*\/(?:node_modules|src)\//, '')}:${f.lineNumber}`
}

const counts = new Map<string, number>()
for (const id of profile.samples) {
  const node = byId.get(id)!
  let key: string
  if (callersOf) {
    if (node.callFrame.functionName !== callersOf) continue
    const chain: string[] = []
    for (let at = parent.get(id); at !== undefined && chain.length < 3; at = parent.get(at)) chain.push(frame(at))
    key = chain.join(' < ')
  } else key = category(node.callFrame.functionName, node.callFrame.url)
  counts.set(key, (counts.get(key) ?? 0) + 1)
}
const total = [...counts.values()].reduce((n, c) => n + c, 0)
console.log(`${total} samples${callersOf ? ` in ${callersOf}` : ''}; µs per request over ${requests}:`)
for (const [key, count] of [...counts].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.TOP ?? 25))) {
  console.log(`${((count / total) * 100).toFixed(1).padStart(5)}%  ${((count * 1000) / requests).toFixed(0).padStart(6)} µs  ${key}`)
}
