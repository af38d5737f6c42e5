import { createWorker } from '../platform/runtime/worker.ts'
import { selectContexts } from './contexts.ts'

/** The reference service on Cloudflare Workers (`wrangler.toml` → `main`; `HERALD_CONTEXTS` per environment). */
export default createWorker(selectContexts)
