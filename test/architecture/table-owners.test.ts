import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative, resolve } from 'node:path'
import { getTableName, is } from 'drizzle-orm'
import { SQLiteTable } from 'drizzle-orm/sqlite-core'
import ts from 'typescript'
import * as toolkitTables from '../../src/platform/store/tables.ts'

/**
 * One owner per toolkit table: every SQL statement naming a table of the toolkit, and every use of
 * its drizzle table object, is in that table's owner module. Relay, admin, metrics, the change feed,
 * reconcile, erasure and the dashboard ask the owner; nothing else writes SQL against the table.
 */
const root = join(import.meta.dir, '../..')

/** Table → the one module (path from the repository root) that may name it. */
const OWNERS: Readonly<Record<string, string>> = {
  outbox: 'src/platform/outbox/store.ts',
  domain_events: 'src/platform/store/event-store.ts',
  inbox: 'src/platform/messaging/inbox.ts',
  delivery_log: 'src/platform/observability/delivery-log.ts',
  idempotency_keys: 'src/platform/store/idempotency-store.ts',
  personal_data_keys: 'src/platform/store/personal-data.ts',
  // The guard table exists to make a batch abort: `expectChangedRow` and `abortUnless` name it.
  occ_guard: 'src/platform/store/database.ts',
}

/** Where the tables are declared (drizzle schema), not queried: these may name every table. */
const DECLARATIONS = ['src/platform/store/schema.ts', 'src/platform/observability/schema.ts', 'src/platform/store/tables.ts']
/** The modules that hand the drizzle table objects out (a `tables` namespace, or the objects themselves). */
const SCHEMA_MODULES = [...DECLARATIONS, 'src/platform/store/index.ts']
const SCANNED = ['src', 'routes', 'examples', 'scripts']
const MIGRATIONS = 'src/platform/store/migrations'

/** drizzle export name → SQL table name (`domainEvents` → `domain_events`). */
const TABLE_OBJECTS: ReadonlyMap<string, string> = new Map(
  Object.entries(toolkitTables).flatMap(([name, value]) => (is(value, SQLiteTable) ? [[name, getTableName(value)] as const] : [])),
)

/** A keyword that puts a table name after it in SQL; the name may be quoted. */
const SQL_TABLE = /\b(?:FROM|INTO|UPDATE|JOIN|TABLE(?:\s+IF\s+(?:NOT\s+)?EXISTS)?)\s+[`"'[]?(\w+)/gi

interface Violation {
  readonly file: string
  readonly table: string
  readonly how: 'sql' | 'drizzle'
}

const describeViolation = (v: Violation) => `${v.file}: ${v.how === 'sql' ? 'SQL naming' : 'drizzle table object of'} ${v.table} (owner: ${OWNERS[v.table]})`

/** The toolkit's tables, as its migrations create them. */
function migratedTables(at: string): string[] {
  const sql = readdirSync(at)
    .filter((file) => file.endsWith('.sql'))
    .map((file) => readFileSync(join(at, file), 'utf8'))
    .join('\n')
  return [...sql.matchAll(/CREATE TABLE(?: IF NOT EXISTS)? [`"]?(\w+)/gi)].map((m) => m[1]!).sort()
}

function sourceFiles(at: string): string[] {
  const found: string[] = []
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue
      const path = join(dir, entry.name)
      if (entry.isDirectory()) walk(path)
      else if (/\.(ts|tsx|mts|js|mjs)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) found.push(path)
    }
  }
  walk(at)
  return found
}

/** The text of every string and template literal (comments are not code: they may name anything). */
function literals(source: ts.SourceFile): string[] {
  const texts: string[] = []
  const visit = (node: ts.Node) => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) texts.push(node.text)
    // ` … ` stands in for what is interpolated, so a table name passed in names no table here.
    else if (ts.isTemplateExpression(node)) texts.push([node.head.text, ...node.templateSpans.map((span) => span.literal.text)].join(' … '))
    ts.forEachChild(node, visit)
  }
  visit(source)
  return texts
}

/** Imports that resolve to the toolkit's schema modules (or `herald/store`), by local name. */
function schemaImports(source: ts.SourceFile, file: string, repo: string): { named: Map<string, string>; namespaces: Set<string> } {
  const named = new Map<string, string>()
  const namespaces = new Set<string>()
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue
    const specifier = statement.moduleSpecifier.text
    const target = specifier === 'herald/store' ? 'src/platform/store/index.ts' : relative(repo, resolve(dirname(file), specifier))
    if (!SCHEMA_MODULES.includes(target)) continue
    const bindings = statement.importClause?.namedBindings
    if (bindings && ts.isNamespaceImport(bindings)) namespaces.add(bindings.name.text)
    if (bindings && ts.isNamedImports(bindings)) {
      for (const element of bindings.elements) {
        const imported = (element.propertyName ?? element.name).text
        if (imported === 'tables') namespaces.add(element.name.text)
        else named.set(element.name.text, imported)
      }
    }
  }
  return { named, namespaces }
}

/** Uses of a toolkit table's drizzle object: imported by name, or read off a `tables` namespace. */
function drizzleTables(source: ts.SourceFile, file: string, repo: string): string[] {
  const { named, namespaces } = schemaImports(source, file, repo)
  const used = [...named.values()].flatMap((name) => (TABLE_OBJECTS.has(name) ? [TABLE_OBJECTS.get(name)!] : []))
  const visit = (node: ts.Node) => {
    if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression) && namespaces.has(node.expression.text)) {
      const table = TABLE_OBJECTS.get(node.name.text)
      if (table) used.push(table)
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  return used
}

/** Every place outside its owner that names a toolkit table, in the tree at `repo`. */
function violations(repo: string): Violation[] {
  const found: Violation[] = []
  for (const folder of SCANNED) {
    for (const path of sourceFiles(join(repo, folder))) {
      const file = relative(repo, path)
      if (DECLARATIONS.includes(file)) continue
      const source = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, false)
      const named = new Set<string>()
      for (const text of literals(source)) for (const m of text.matchAll(SQL_TABLE)) named.add(m[1]!.toLowerCase())
      for (const table of named) if (table in OWNERS && OWNERS[table] !== file) found.push({ file, table, how: 'sql' })
      for (const table of new Set(drizzleTables(source, path, repo))) if (OWNERS[table] !== file) found.push({ file, table, how: 'drizzle' })
    }
  }
  return found
}

describe('one owner per toolkit table', () => {
  it('names an owner for every table the toolkit migrates and declares', () => {
    const migrated = migratedTables(join(root, MIGRATIONS))
    expect(migrated).toEqual(Object.keys(OWNERS).sort())
    expect([...TABLE_OBJECTS.values()].sort()).toEqual(migrated)
  })

  it('finds no SQL or drizzle table object naming a toolkit table outside its owner (src/, routes/, examples/, scripts/)', () => {
    const found = violations(root).map(describeViolation)
    if (found.length > 0) console.error(`table ownership: ${found.length} violation(s):\n  ${found.join('\n  ')}`)
    expect(found).toEqual([])
  })

  it('sees the owners themselves (it is reading the code, not an empty folder)', () => {
    for (const owner of new Set(Object.values(OWNERS))) {
      const source = ts.createSourceFile(owner, readFileSync(join(root, owner), 'utf8'), ts.ScriptTarget.Latest, false)
      const named = literals(source).flatMap((text) => [...text.matchAll(SQL_TABLE)].map((m) => m[1]!.toLowerCase()))
      const owned = Object.entries(OWNERS).flatMap(([table, file]) => (file === owner ? [table] : []))
      expect(owned.every((table) => named.includes(table))).toBe(true)
    }
  })
})

/**
 * Probes: files that break the rule (and files that must pass), written into a copy of the
 * sources in a temporary folder, never into the working tree.
 */
const PROBE = '__probe__'
const probes: readonly { file: string; source: string; expected: readonly string[] }[] = [
  { file: `src/platform/${PROBE}/count.ts`, source: `export const q = "SELECT COUNT(*) FROM outbox WHERE status = 'pending'"`, expected: ['outbox sql'] },
  {
    file: `src/ordering/${PROBE}/template.ts`,
    source: `export const q = (id: string) => \`INSERT INTO inbox (event_id) VALUES ('\${id}')\``,
    expected: ['inbox sql'],
  },
  { file: `routes/${PROBE}/lower.ts`, source: `export const q = 'select position from "domain_events" where id = ?'`, expected: ['domain_events sql'] },
  { file: `scripts/${PROBE}/prune.ts`, source: `export const q = 'DELETE FROM delivery_log'`, expected: ['delivery_log sql'] },
  { file: `src/platform/${PROBE}/guard.ts`, source: `export const q = 'INSERT INTO occ_guard (x) SELECT 1'`, expected: ['occ_guard sql'] },
  {
    file: `src/platform/${PROBE}/drizzle.ts`,
    source: `import { outbox, idempotencyKeys as keys } from '../store/schema.ts'\nexport const t = [outbox, keys]`,
    expected: ['idempotency_keys drizzle', 'outbox drizzle'],
  },
  {
    file: `examples/${PROBE}/namespace.ts`,
    source: `import { tables } from 'herald/store'\nexport const t = tables.personalDataKeys`,
    expected: ['personal_data_keys drizzle'],
  },
  {
    file: `src/platform/${PROBE}/allowed.ts`,
    source: [
      `// A comment may say "SELECT * FROM outbox": it is not code.`,
      `export const table = (name: string) => \`SELECT id FROM \${name}\``,
      `export const other = 'SELECT * FROM outbox_archive JOIN inboxes ON 1'`,
      `export const words = 'what is in the outbox'`,
    ].join('\n'),
    expected: [],
  },
]

describe('the table-ownership rule', () => {
  let copy = ''
  let found: Violation[] = []

  beforeAll(() => {
    copy = mkdtempSync(join(tmpdir(), 'herald-table-owners-'))
    for (const folder of SCANNED) cpSync(join(root, folder), join(copy, folder), { recursive: true })
    for (const { file, source } of probes) {
      mkdirSync(dirname(join(copy, file)), { recursive: true })
      writeFileSync(join(copy, file), `${source}\n`)
    }
    found = violations(copy)
  })

  afterAll(() => {
    if (copy) rmSync(copy, { recursive: true, force: true })
  })

  for (const { file, expected } of probes) {
    it(`${expected.length ? `catches ${expected.join(', ')} in` : 'lets through'} ${file}`, () => {
      const mine = found.filter((v) => v.file === file).map((v) => `${v.table} ${v.how}`)
      expect(mine.sort()).toEqual([...expected].sort())
    })
  }

  it('catches nothing else in the copy', () => {
    expect(found.filter((v) => !v.file.includes(PROBE)).map(describeViolation)).toEqual([])
  })

  it('wants an owner for a table a new migration creates', () => {
    const migrations = join(copy, MIGRATIONS)
    writeFileSync(join(migrations, `9999_${PROBE}.sql`), 'CREATE TABLE `outbox_archive` (`id` text PRIMARY KEY NOT NULL);\n')
    expect(migratedTables(migrations).filter((table) => !(table in OWNERS))).toEqual(['outbox_archive'])
  })
})
