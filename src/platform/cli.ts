#!/usr/bin/env node
// The `herald` bin of the package (built to dist/platform/cli.js; plain Node runs it).
import { CONTRACTS_USAGE, ContractsUsageError, contractsCommand } from './contracts/cli.ts'

const USAGE = `Usage: herald <command>\n\n${CONTRACTS_USAGE}`

const [topic, ...rest] = process.argv.slice(2)
if (topic === 'contracts') {
  try {
    process.exitCode = await contractsCommand(rest)
  } catch (error) {
    if (!(error instanceof ContractsUsageError)) throw error
    console.error(`herald contracts: ${error.message}\n\n${CONTRACTS_USAGE}`)
    process.exitCode = 2
  }
} else {
  console.error(topic === undefined || topic === '--help' ? USAGE : `herald: unknown command "${topic}"\n\n${USAGE}`)
  process.exitCode = topic === '--help' ? 0 : 2
}
