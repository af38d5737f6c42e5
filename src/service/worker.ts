import { createWorker } from '../platform/runtime/worker.ts'
import { referenceContexts, referenceSettings } from './contexts.ts'

/** The reference service on Cloudflare Workers (`wrangler.toml` → `main`). */
export default createWorker((env) => Object.values(referenceContexts(referenceSettings(env))))
