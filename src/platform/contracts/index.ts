export * from './cli.ts'
export * from './snapshots.ts'
