import { setDefaultTimeout } from 'bun:test'

// End-to-end tests run real HTTP between the service and the broker on a 2-core machine; they
// wait for conditions with their own deadlines, so the per-test ceiling only catches hangs.
// `npm test` also passes `--timeout 60000`: Bun 1.4 keeps a preload's setDefaultTimeout for the
// first test file of a run only (https://github.com/oven-sh/bun/issues/43787); this line still
// covers a single-file `bun test path/to/file.test.ts`.
setDefaultTimeout(60_000)
