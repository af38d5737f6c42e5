import { Receiver } from '@upstash/qstash'
import type { SignatureVerifier } from '../../src/platform/hono/verify-signature.ts'
import { DEV_QSTASH } from '../../src/platform/messaging/qstash.ts'
import type { Database } from '../../src/platform/store/database.ts'
import { nodeCryptoVerifier } from './fast-verifier.ts'
import { type CommitterChoice, withCommitter } from './group-commit.ts'
import { sourcePatches } from './patches.ts'

/**
 * Bench-only experiments: proposed changes to src/, measured with the same harness before anyone
 * edits src/. Three kinds: committer swaps (applied to the Database before createHerald sees
 * it), a verifier swap (the SignatureVerifier handed to createHerald) and source patches
 * (patches.ts, applied at load time by preload.ts). Run with
 * `bun run bench/run.ts --experiment <name>[,<name>]`.
 */
export interface Experiment {
  readonly name: string
  readonly summary: string
  readonly committer?: CommitterChoice
  readonly verifier?: () => SignatureVerifier
}

export const experiments: Record<string, Experiment> = {
  'group-commit': {
    name: 'group-commit',
    summary: 'concurrent commands share one transaction (a SAVEPOINT each) and one fsync; alone for 50 ms after a lost race',
    committer: { grouped: true, prepared: false, policy: 'adaptive' },
  },
  'group-commit-settle': {
    name: 'group-commit-settle',
    summary: 'group commit that always groups (hot aggregates turn into 409s: see group-commit.ts)',
    committer: { grouped: true, prepared: false, policy: 'settle' },
  },
  'group-commit-immediate': {
    name: 'group-commit-immediate',
    summary: 'group commit that flushes on the first macrotask (no settling)',
    committer: { grouped: true, prepared: false, policy: 'immediate' },
  },
  'prepared-statements': {
    name: 'prepared-statements',
    summary: 'commits through the libsql driver with statements prepared once',
    committer: { grouped: false, prepared: true },
  },
  'group-commit-prepared': {
    name: 'group-commit-prepared',
    summary: 'group commit (adaptive) on the libsql driver with statements prepared once',
    committer: { grouped: true, prepared: true, policy: 'adaptive' },
  },
  'fast-verifier': {
    name: 'fast-verifier',
    summary: 'Upstash-Signature checked with node:crypto (sync HMAC/SHA-256), same checks as the SDK Receiver',
    verifier: () => nodeCryptoVerifier(DEV_QSTASH),
  },
}

/** The verifier a bench Herald gets: the SDK's Receiver with the dev keys, unless an experiment swaps it. */
export function verifierFor(names: readonly string[]): SignatureVerifier {
  for (const name of names) {
    const make = experiments[name]?.verifier
    if (make) return make()
  }
  return new Receiver({ currentSigningKey: DEV_QSTASH.currentSigningKey, nextSigningKey: DEV_QSTASH.nextSigningKey })
}

export const knownExperiments = () => [...Object.keys(experiments), ...Object.keys(sourcePatches)]

/** Applies the committer experiments among `names` (source patches are preload.ts's job). */
export function applyExperiments(database: Database, names: readonly string[], dbPath?: string): Database {
  let result = database
  let committers = 0
  for (const name of names) {
    if (sourcePatches[name]) continue
    const experiment = experiments[name]
    if (!experiment) throw new Error(`Unknown experiment "${name}" (known: ${knownExperiments().join(', ')})`)
    if (!experiment.committer) continue
    if (++committers > 1) throw new Error('At most one committer experiment at a time')
    result = withCommitter(result, dbPath, experiment.committer)
  }
  return result
}
