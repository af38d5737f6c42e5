/**
 * Source-level experiments: the exact change proposed for a file under src/ or routes/, applied
 * at load time by a Bun runtime plugin (bench/experiments/preload.ts) in bench processes only.
 * Nothing here imports src/, so the plugin is in place before any patched module loads.
 */
export interface SourcePatch {
  /** Path relative to the repository root. */
  readonly file: string
  /** Each `find` must occur exactly once; it is replaced by `replace`. */
  readonly edits: readonly { readonly find: string; readonly replace: string }[]
}

export const sourcePatches: Record<string, readonly SourcePatch[]> = {
  /** routes/orders.ts: hash the body only when there is an Idempotency-Key to compare it with. */
  'fingerprint-on-key': [
    {
      file: 'routes/orders.ts',
      edits: [
        {
          // The key is whatever the route reads; the fingerprint is only compared when there is one.
          find: 'fingerprint: await fingerprint(body) }',
          replace: "fingerprint: c.req.header('Idempotency-Key') === undefined ? '' : await fingerprint(body) }",
        },
      ],
    },
  ],

  /** src/platform/store/journal.ts: one multi-row INSERT for a command's events, one for its outbox rows. */
  'multi-row-journal': [
    {
      file: 'src/platform/store/journal.ts',
      edits: [
        {
          find: 'export const sqlJournal: Journal = {',
          replace: 'const perRow: Journal = {',
        },
        {
          find: "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`\n",
          replace: "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`\nconst MAX_ROWS = 200 // 10 args a row, far below SQLite's 32,766 variables\n",
        },
        {
          find: "      args: [m.id, m.kind, m.topic, JSON.stringify(m.payload), m.notBefore ?? null, m.createdAt, m.createdAt],\n    })),\n}",
          replace: `      args: [m.id, m.kind, m.topic, JSON.stringify(m.payload), m.notBefore ?? null, m.createdAt, m.createdAt],
    })),
}

/** Same rows, same order, fewer statements: consecutive rows of one INSERT become one VALUES list. */
function merged(statements: Statement[]): Statement[] {
  if (statements.length <= 1) return statements
  const out: Statement[] = []
  for (let i = 0; i < statements.length; i += MAX_ROWS) {
    const chunk = statements.slice(i, i + MAX_ROWS)
    const sql = chunk[0]!.sql
    const at = sql.lastIndexOf('VALUES')
    const tuple = sql.slice(at + 'VALUES'.length).trim()
    out.push({ sql: \`\${sql.slice(0, at)}VALUES \${chunk.map(() => tuple).join(', ')}\`, args: chunk.flatMap((s) => s.args) })
  }
  return out
}

export const sqlJournal: Journal = {
  appendEvents: (events) => merged(perRow.appendEvents(events)),
  enqueue: (messages) => merged(perRow.enqueue(messages)),
}`,
        },
      ],
    },
  ],

  /**
   * src/kernel: the dispatch path without per-event garbage. Dispatcher keeps each type's
   * handlers already split by phase (no filter() per event); the unit of work builds one
   * HandlerContext per event instead of one per handler call, only walks the tracked aggregates
   * when one of them has pending events, and builds the cascade path (for CascadeDepthError)
   * only when it throws.
   */
  'lean-dispatch': [
    {
      file: 'src/kernel/dispatcher.ts',
      edits: [
        {
          find: '  readonly #byName = new Map<string, Registration<C>>()',
          replace:
            "  readonly #byName = new Map<string, Registration<C>>()\n  readonly #inTransaction = new Map<string, readonly Registration<C>[]>()\n  readonly #afterCommit = new Map<string, readonly Registration<C>[]>()\n  static readonly #none: readonly never[] = Object.freeze([])",
        },
        {
          find: '    this.#byType.set(type, [...(this.#byType.get(type) ?? []), registration])',
          replace:
            "    this.#byType.set(type, [...(this.#byType.get(type) ?? []), registration])\n    const byPhase = registration.phase === 'in-transaction' ? this.#inTransaction : this.#afterCommit\n    byPhase.set(type, [...(byPhase.get(type) ?? []), registration])",
        },
        {
          find: '    return (this.#byType.get(type) ?? []).filter((r) => r.phase === phase)',
          replace: "    return (phase === 'in-transaction' ? this.#inTransaction : this.#afterCommit).get(type) ?? Dispatcher.#none",
        },
      ],
    },
    {
      file: 'src/kernel/unit-of-work.ts',
      edits: [
        {
          find: `    for (let next = queue.shift(); next; next = queue.shift()) {
      const { event, depth, chain } = next
      const path = [...chain, event.type]
      if (depth > maxDepth) throw new CascadeDepthError(path, maxDepth)
      for (const handler of dispatcher.handlersFor(event.type, 'in-transaction')) {
        await handler.handle(event, this.context(event.id))
        queue.push(...this.#pull(event.id, depth + 1, path))
      }`,
          replace: `    for (let index = 0; index < queue.length; index++) {
      const { event, depth, chain } = queue[index]!
      if (depth > maxDepth) throw new CascadeDepthError([...chain, event.type], maxDepth)
      const handlers = dispatcher.handlersFor(event.type, 'in-transaction')
      if (handlers.length > 0) {
        const context = this.context(event.id)
        let path: readonly string[] | undefined
        for (const handler of handlers) {
          await handler.handle(event, context)
          if (this.#hasPending()) for (const q of this.#pull(event.id, depth + 1, (path ??= [...chain, event.type]))) queue.push(q)
        }
      }`,
        },
        {
          find: `    const saves = [...this.#tracked.values()]
      .filter((t) => t.aggregate.version !== t.loadedVersion)
      .flatMap((t) => t.repository.save(t.aggregate, t.loadedVersion))
    // Events first: their unique (aggregate, version) key is what aborts a stale batch.
    const statements = [
      ...journal.appendEvents(this.#events),
      ...saves,
      ...this.#statements,
      ...journal.enqueue(this.#outbox),
    ]`,
          replace: `    // Events first: their unique (aggregate, version) key is what aborts a stale batch.
    const statements = journal.appendEvents(this.#events)
    for (const t of this.#tracked.values()) {
      if (t.aggregate.version !== t.loadedVersion) for (const s of t.repository.save(t.aggregate, t.loadedVersion)) statements.push(s)
    }
    for (const s of this.#statements) statements.push(s)
    for (const s of journal.enqueue(this.#outbox)) statements.push(s)`,
        },
        {
          find: '  /** Takes pending events from every tracked aggregate, in tracking order, and stamps them. */',
          replace: `  #hasPending(): boolean {
    for (const { aggregate } of this.#tracked.values()) if (aggregate.pendingEvents.length > 0) return true
    return false
  }

  /** Takes pending events from every tracked aggregate, in tracking order, and stamps them. */`,
        },
      ],
    },
  ],

  /**
   * src/platform/observability/delivery-log.ts: write the delivery-log row through the committer
   * (same write lane, same atomic-batch contract) instead of a separate execute, so a group
   * committer folds it into the fsync the deliveries' own commands share. Alone it is today's
   * cost (one more write per delivery); with group commit it is nearly free.
   */
  'delivery-log-via-committer': [
    {
      file: 'src/platform/observability/delivery-log.ts',
      edits: [
        {
          find: `    await database.write(() =>
      database.client.execute({
        sql: INSERT,`,
          replace: `    await database.committer.commit([
      {
        sql: INSERT,`,
        },
        {
          find: `          record.receivedAt,
        ],
      }),
    )
  }`,
          replace: `          record.receivedAt,
        ],
      },
    ])
  }`,
        },
      ],
    },
  ],

  /**
   * Group commit (adaptive policy) wired into openDatabase/fromClient itself (today's
   * @libsql/client path, no extra dependency), so the whole existing test suite can run against
   * it: `BENCH_EXPERIMENTS=group-commit-src,retry-backoff bun test --preload
   * ./bench/experiments/preload.ts`. (Benchmarks use the committer swaps in index.ts.)
   */
  /**
   * src/kernel/command-runner.ts: what group commit needs on hot aggregates. A conflicted
   * command waits a random 0–2·attempt ms before re-reading, so racers spread over several
   * groups instead of colliding again in the next one; and it gets more attempts.
   */
  'retry-backoff': [
    {
      file: 'src/kernel/command-runner.ts',
      edits: [
        { find: 'const { maxAttempts = 3 } = this.deps', replace: 'const { maxAttempts = 8 } = this.deps' },
        {
          find: '        if (!(error instanceof ConcurrencyError) || attempt >= maxAttempts) throw error',
          replace:
            '        if (!(error instanceof ConcurrencyError) || attempt >= maxAttempts) throw error\n        await new Promise((resolve) => setTimeout(resolve, Math.random() * 2 * attempt))',
        },
      ],
    },
  ],
  'group-commit-src': [
    {
      file: 'src/platform/store/database.ts',
      edits: [
        {
          find: "import * as schema from '../../../drizzle/schema/index.ts'",
          replace:
            "import * as schema from '../../../drizzle/schema/index.ts'\nimport { clientWriter, groupCommitter } from '../../../bench/experiments/group-commit.ts'",
        },
        {
          find: 'committer: batchCommitter(client, serial), write: serial',
          replace: 'committer: groupCommitter(clientWriter(client), serial), write: serial',
        },
      ],
    },
  ],
}
