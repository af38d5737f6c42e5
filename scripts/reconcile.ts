import { createHerald } from '../src/platform/herald.ts'
import { selectContexts } from '../src/service/contexts.ts'
import { loadConfig } from '../src/platform/config.ts'
import { qstashMessaging, qstashSettingsFromEnv } from '../src/platform/messaging/qstash.ts'
import { openDatabase } from '../src/platform/store/database.ts'

// bun run reconcile [--repair]: replays every aggregate against its stored row and checks the
// outbox; exits 1 when it finds (and, without --repair, leaves) inconsistencies.
const repair = process.argv.includes('--repair')
const config = loadConfig(process.env)
const database = openDatabase({ url: config.databaseUrl, ...(config.databaseAuthToken ? { authToken: config.databaseAuthToken } : {}) })
const qstash = qstashSettingsFromEnv(process.env)
// With QStash configured the repair publishes re-queued rows itself; otherwise the service's sweep does.
const contexts = selectContexts(process.env)
const herald = createHerald({ database, contexts, config, ...(qstash ? { messaging: qstashMessaging(qstash) } : {}) })

const report = await herald.reconcile({ repair, onProgress: progressBar() })
for (const d of report.divergences) {
  console.log(
    d.kind === 'unpublished'
      ? `unpublished  ${d.topic} ${d.outboxId} (${d.status})`
      : `${d.kind.padEnd(18)} ${d.aggregateType} ${d.aggregateId}${'fields' in d ? ` [${d.fields.join(', ')}]` : ''}`,
  )
}
console.log(
  `reconcile: ${report.aggregatesChecked} aggregates, ${report.outboxChecked} outbox rows checked, ` +
    `${report.divergences.length} inconsistencies, ${report.repaired} repaired` +
    (repair && report.divergences.some((d) => d.kind === 'unpublished') ? ' (re-queued rows publish on the next service sweep)' : ''),
)
database.close()
process.exit(report.divergences.length > 0 && !repair ? 1 : 0)

/** A progress bar on a terminal; silent when piped. */
function progressBar() {
  if (!process.stdout.isTTY) return undefined
  return (done: number, total: number) => {
    const width = 30
    const filled = total === 0 ? width : Math.round((done / total) * width)
    process.stdout.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} aggregates${done === total ? '\n' : ''}`)
  }
}
