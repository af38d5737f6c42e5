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
          find: 'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`\n',
          replace: "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`\nconst MAX_ROWS = 200 // 10 args a row, far below SQLite's 32,766 variables\n",
        },
        {
          find: '      args: [m.id, m.kind, m.topic, JSON.stringify(m.payload), m.notBefore ?? null, m.createdAt, m.createdAt],\n    })),\n}',
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
}
