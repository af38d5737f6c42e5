/**
 * CLI: `bun run src/dev/main.ts` (or `bun run broker`). Configured by QSTASH_DEV_PORT (8080),
 * QSTASH_DEV_DB (file:./data/qstash-dev.db), QSTASH_DEV_DELAY_SCALE (1), QSTASH_DEV_HOSTNAME (127.0.0.1),
 * QSTASH_DEV_TOKEN and QSTASH_DEV_CURRENT_SIGNING_KEY / QSTASH_DEV_NEXT_SIGNING_KEY (the public dev ones).
 * Prints one line with the URL; the token and signing keys are only ever shown truncated.
 */
import { startBroker } from './broker.ts'
import { DEFAULT_DB_URL, DEFAULT_PORT, DEV_CURRENT_SIGNING_KEY, DEV_NEXT_SIGNING_KEY, DEV_TOKEN, optionsFromEnv, redact } from './config.ts'

const options = optionsFromEnv(process.env)
const broker = await startBroker(options).catch((error: { code?: unknown }) => {
  if (error.code !== 'EADDRINUSE') throw error
  // One line that says what to change, not a stack trace.
  console.error(`[qstash-dev] port ${options.port ?? DEFAULT_PORT} is already in use: set QSTASH_DEV_PORT to a free port`)
  process.exit(1)
})
console.log(
  `[qstash-dev] QStash dev broker listening on ${broker.url} (QSTASH_URL); ` +
    `QSTASH_TOKEN: ${options.token ? 'QSTASH_DEV_TOKEN' : 'the @upstash/qstash dev token'} (${redact(options.token ?? DEV_TOKEN)}); ` +
    `signing keys: ${options.currentSigningKey || options.nextSigningKey ? 'QSTASH_DEV_*_SIGNING_KEY' : 'the dev defaults'} ` +
    `(${redact(options.currentSigningKey ?? DEV_CURRENT_SIGNING_KEY)}, ${redact(options.nextSigningKey ?? DEV_NEXT_SIGNING_KEY)}); ` +
    `db ${options.dbUrl ?? DEFAULT_DB_URL}; delay scale ${options.retryDelayScale ?? 1}. Dev/test only.`,
)

// Graceful stop on Ctrl-C / SIGTERM. A kill -9 is fine too: accepted messages are already on disk.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    void broker.stop().then(() => process.exit(0))
  })
}
