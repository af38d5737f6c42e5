// zod's `z` namespace (node_modules/zod/v4/classic/external.js, zod 4.6) without `z.locales`: the
// Worker bundle only (wrangler.toml [alias] zod → ./src/service/worker-zod/index.ts). Every
// language's error messages were 375 KiB of the 2 MB bundle, kept because `@hono/zod-openapi`
// hands the whole namespace around; English stays (classic/schemas.js registers it itself).
// Keep in step with that file when zod is upgraded (test/runtime/worker-*.test.ts run the bundle).
// Also left out, unused by Herald and the libraries it hands `z` to: `z.compile` (and withParser, its
// errors) and `z.fromJSONSchema`.
// biome-ignore-all lint: a copy of zod's own export list
export * as core from './core.js'
export * from '../../../node_modules/zod/v4/classic/schemas.js'
export * from '../../../node_modules/zod/v4/classic/checks.js'
export * from '../../../node_modules/zod/v4/classic/errors.js'
export * from '../../../node_modules/zod/v4/classic/parse.js'
export * from '../../../node_modules/zod/v4/classic/compat.js'
export {
  globalRegistry,
  registry,
  config,
  memoizer,
  $output,
  $input,
  $brand,
  clone,
  regexes,
  treeifyError,
  prettifyError,
  formatError,
  flattenError,
  TimePrecision,
  util,
  NEVER,
  INVALID,
  toZod,
  getDiscriminatedOption,
} from '../../../node_modules/zod/v4/core/index.js'
export { toJSONSchema } from '../../../node_modules/zod/v4/core/json-schema-processors.js'
export { deepPartial } from '../../../node_modules/zod/v4/classic/deep-partial.js'
// Types and values both, from one module — re-exporting the types from core would collide.
export { input, output } from '../../../node_modules/zod/v4/classic/in-out.js'
// iso must be exported from top-level https://github.com/colinhacks/zod/issues/4491
export { ZodISODateTime, ZodISODate, ZodISOTime, ZodISODuration } from '../../../node_modules/zod/v4/classic/iso.js'
export * as iso from '../../../node_modules/zod/v4/classic/iso.js'
export * as coerce from '../../../node_modules/zod/v4/classic/coerce.js'
