/**
 * Runs one in-process figure (no HTTP: figures 2 and 5) in a fresh Bun process, so it gets a
 * clean heap and JIT and, like the servers, the experiments' source patches (started with
 * `--preload bench/experiments/preload.ts`). Args: figure id, config JSON, shared JSON, out file.
 */
import { writeFileSync } from 'node:fs'
import { figures } from '../figures/index.ts'
import type { Shared, SuiteConfig } from './suite.ts'

const [id, configJson, sharedJson, out] = process.argv.slice(2) as [string, string, string, string]
const figure = figures.find((f) => f.id === id)
if (!figure) throw new Error(`no figure ${id}`)
const config: SuiteConfig = { ...(JSON.parse(configJson) as Omit<SuiteConfig, 'log'>), log: (line) => console.log(line) }
const entries = await figure.run(config, JSON.parse(sharedJson) as Shared)
writeFileSync(out, JSON.stringify(entries))
