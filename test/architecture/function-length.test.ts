import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import ts from 'typescript'

/**
 * A function that needs a scroll is several named steps: no function of the toolkit (src/platform,
 * src/dev) is longer than 80 lines unless a comment just above it says why, with the words
 * "Longer than 80 lines:" and the reason.
 */
const root = join(import.meta.dir, '../..')
const MAX_LINES = 80
const REASON = /Longer than 80 lines:/
const SCANNED = ['src/platform', 'src/dev']
/** Generated, not written: the dashboard client bundled into one string. */
const GENERATED = new Set(['src/platform/hono/dashboard/assets/client.bundle.ts'])

interface LongFunction {
  readonly file: string
  readonly name: string
  readonly lines: number
}

const describeLong = (f: LongFunction) => `${f.file} ${f.name} (${f.lines} lines)`

function sourceFiles(at: string): string[] {
  const found: string[] = []
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) walk(path)
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) found.push(path)
    }
  }
  walk(at)
  return found
}

const isFunction = (node: ts.Node): node is ts.FunctionLikeDeclaration =>
  ts.isFunctionDeclaration(node) ||
  ts.isFunctionExpression(node) ||
  ts.isArrowFunction(node) ||
  ts.isMethodDeclaration(node) ||
  ts.isConstructorDeclaration(node) ||
  ts.isGetAccessorDeclaration(node) ||
  ts.isSetAccessorDeclaration(node)

function nameOf(node: ts.FunctionLikeDeclaration, source: ts.SourceFile): string {
  if (node.name) return node.name.getText(source)
  const parent = node.parent
  if ((ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent)) && parent.name) return parent.name.getText(source)
  return `(anonymous at line ${source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1})`
}

/** The comments just above the function, or above the declaration or property that holds it. */
function leadingComments(node: ts.Node, source: ts.SourceFile): string {
  const text = source.getFullText()
  const comments: string[] = []
  for (let at: ts.Node | undefined = node; at && !ts.isSourceFile(at) && !ts.isBlock(at); at = at.parent) {
    for (const range of ts.getLeadingCommentRanges(text, at.getFullStart()) ?? []) comments.push(text.slice(range.pos, range.end))
    if (ts.isStatement(at) || ts.isClassElement(at) || ts.isPropertyAssignment(at)) break
  }
  return comments.join('\n')
}

/** Functions longer than the limit with no reason above them, in the files under `folders` of `repo`. */
function longFunctions(repo: string, folders: readonly string[]): LongFunction[] {
  const found: LongFunction[] = []
  for (const folder of folders) {
    for (const path of sourceFiles(join(repo, folder))) {
      const file = relative(repo, path)
      if (GENERATED.has(file)) continue
      const source = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true)
      const visit = (node: ts.Node) => {
        if (isFunction(node)) {
          const first = source.getLineAndCharacterOfPosition(node.getStart(source)).line
          const last = source.getLineAndCharacterOfPosition(node.getEnd()).line
          const lines = last - first + 1
          if (lines > MAX_LINES && !REASON.test(leadingComments(node, source))) found.push({ file, name: nameOf(node, source), lines })
        }
        ts.forEachChild(node, visit)
      }
      visit(source)
    }
  }
  return found
}

describe('function length', () => {
  it(`finds no function over ${MAX_LINES} lines without a reason beside it in ${SCANNED.join(', ')}`, () => {
    const found = longFunctions(root, SCANNED)
    const unexplained = found.map(describeLong)
    if (unexplained.length > 0) console.error(`long functions without a reason:\n  ${unexplained.join('\n  ')}`)
    expect(unexplained).toEqual([])
  })
})

const PROBE = '__probe__'
const body = (lines: number) => Array.from({ length: lines }, (_, i) => `  total += ${i}`).join('\n')

describe('the function-length rule', () => {
  let copy = ''
  let found: readonly string[] = []

  beforeAll(() => {
    copy = mkdtempSync(join(tmpdir(), 'herald-function-length-'))
    mkdirSync(join(copy, PROBE), { recursive: true })
    const files: Record<string, string> = {
      'long.ts': `export function tooLong(): number {\n  let total = 0\n${body(MAX_LINES)}\n  return total\n}`,
      'arrow.ts': `export const tooLongArrow = (): number => {\n  let total = 0\n${body(MAX_LINES)}\n  return total\n}`,
      'method.ts': `export const store = {\n  tooLongMethod(): number {\n    let total = 0\n${body(MAX_LINES)}\n    return total\n  },\n}`,
      'explained.ts': `/** Longer than 80 lines: a table of cases reads better whole. */\nexport function explained(): number {\n  let total = 0\n${body(MAX_LINES)}\n  return total\n}`,
      'short.ts': `export function short(): number {\n  let total = 0\n${body(MAX_LINES - 4)}\n  return total\n}`,
    }
    for (const [file, source] of Object.entries(files)) writeFileSync(join(copy, PROBE, file), `${source}\n`)
    found = longFunctions(copy, [PROBE]).map((f) => `${f.file.slice(PROBE.length + 1)} ${f.name}`)
  })

  afterAll(() => {
    if (copy) rmSync(copy, { recursive: true, force: true })
  })

  it('catches a long function, arrow function and method', () => {
    expect([...found].sort()).toEqual(['arrow.ts tooLongArrow', 'long.ts tooLong', 'method.ts tooLongMethod'])
  })

  it('lets through a long function with its reason above it, and one of exactly the limit', () => {
    expect(found.filter((f) => f.startsWith('explained.ts') || f.startsWith('short.ts'))).toEqual([])
  })
})
