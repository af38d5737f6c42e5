/**
 * What the personal-data vault costs a command, alone: `bun run bench/experiments/vault.ts [n]`.
 * One `POST /orders` seals a buyer's 4 fields with one key (`sealAll`) and its publishers open
 * what it sealed from the vault's cache; a delivery opens sealed fields it did not seal. Measured
 * for both ciphers of `personal-data-cipher.ts` (WebCrypto, `node:crypto`) in alternating rounds,
 * on a migrated file whose subject's key is committed (so neither side touches SQL after warm-up).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Statement } from '../../src/kernel/index.ts'
import { openDatabase } from '../../src/platform/store/database.ts'
import { defaultSealing, type Sealing, webCryptoSealing } from '../../src/platform/store/personal-data-cipher.ts'
import { personalDataVault } from '../../src/platform/store/personal-data.ts'
import { migrateReferenceDatabase } from '../../src/service/app.ts'
import { median } from '../harness/stats.ts'

const N = Number(process.argv[2] ?? 3000)
const dir = mkdtempSync(join(tmpdir(), 'herald-vault-'))
const database = openDatabase({ url: `file:${join(dir, 'vault.db')}` })
await migrateReferenceDatabase(database)
const fields = ['Ada Lovelace', 'ada@example.com', '12 St James’s Square', 'A. A. Lovelace']

// Commit the subject's key once, so both vaults below find it.
const staged: Statement[] = []
const sealedOnce = await personalDataVault(database).sealAll('ada', fields, (...s) => staged.push(...s))
await database.committer.commit(staged)

async function round(sealing: Sealing): Promise<{ seal: number; open: number }> {
  const vault = personalDataVault(database, undefined, sealing)
  await vault.sealAll('ada', fields, () => {}) // the key, imported once
  let t = Bun.nanoseconds()
  for (let i = 0; i < N; i++)
    await vault.sealAll(
      'ada',
      fields.map((f) => `${f} ${i}`),
      () => {},
    )
  const seal = (Bun.nanoseconds() - t) / N / 1000
  // A fresh vault for each open, so values come from the cipher, not the vault's clear-text cache.
  t = Bun.nanoseconds()
  for (let i = 0; i < N / 10; i++) {
    const reader = personalDataVault(database, undefined, sealing)
    await Promise.all(sealedOnce.map((value) => reader.open(value)))
  }
  const open = (Bun.nanoseconds() - t) / (N / 10) / 1000
  return { seal, open }
}

const results: Record<string, { seal: number[]; open: number[] }> = { webcrypto: { seal: [], open: [] }, 'node:crypto': { seal: [], open: [] } }
for (let r = 0; r < 5; r++) {
  for (const [name, sealing] of [
    ['webcrypto', webCryptoSealing],
    ['node:crypto', defaultSealing()],
  ] as const) {
    const { seal, open } = await round(sealing)
    results[name]!.seal.push(seal)
    results[name]!.open.push(open)
  }
}
for (const [name, { seal, open }] of Object.entries(results)) {
  console.log(
    `${name}: sealAll of 4 fields ${median(seal).toFixed(1)} µs; opening them in a fresh vault (key read + import + 4 opens) ${median(open).toFixed(1)} µs`,
  )
}
database.close()
rmSync(dir, { recursive: true, force: true })
