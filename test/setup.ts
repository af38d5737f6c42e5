import { setDefaultTimeout } from 'bun:test'

// End-to-end tests run real HTTP between the service and the broker on a 2-core machine; they
// wait for conditions with their own deadlines, so the per-test ceiling only catches hangs.
setDefaultTimeout(60_000)
