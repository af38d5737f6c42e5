#!/usr/bin/env node
// The `qstash-dev` bin of the package, built to dist/dev/bin.js: plain Node runs it (Bun and
// Deno run it too), so a Node-only project can `npx qstash-dev`.
import { main } from './cli.ts'

await main()
