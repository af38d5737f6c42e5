// See ./external.js: `import { z } from 'zod'` in the Worker bundle, without the locales.
import * as z from './external.js'
export * from './external.js'
export { z, z as default }
