import { describe, expect, it } from 'bun:test'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'

/*
 * The README promises "only Node.js and npm". Every command the README and docs/ tell a reader to
 * type must then run there: an npm script that exists, a bin npm installed (`npx …`), or a
 * command such a machine has. Bun's own spelling may stand beside it, marked as such (a `# … Bun …`
 * comment on the line in a code block; the word "Bun" on the same line around an inline `bun …`).
 */

const ROOT = resolve(import.meta.dir, '../..')
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string>; bin?: Record<string, string> }

/** What a machine with Node and npm (and a shell) has, and the few service CLIs the deploy steps name. */
const SYSTEM = new Set(['git', 'curl', 'node', 'npm', 'npx', 'cd', 'cat', 'echo', 'export', 'mkdir', 'cp', 'ls', 'sudo', 'systemctl', 'kill', 'open', 'sleep'])
// The Turso CLI belongs to the Turso account the Workers deploy needs, like the Upstash console for QStash.
const SERVICE_CLIS = new Set(['turso'])
const NPM_BUILTINS = new Set(['install', 'i', 'ci', 'pack', 'exec', 'init', 'publish', 'version', 'ls', 'outdated', 'audit'])
const SHELL_LANGUAGES = new Set(['sh', 'bash', 'shell', 'console', 'zsh'])

function markdownFiles(): string[] {
  const docs = join(ROOT, 'docs')
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory() ? walk(join(dir, entry.name)) : entry.name.endsWith('.md') ? [join(dir, entry.name)] : [],
    )
  // The READMEs of the broker and the examples are where the README sends people next.
  const beside = ['src/dev/README.md', 'examples/library-loans/README.md', 'examples/webhook-subscriber/README.md'].map((path) => join(ROOT, path))
  return [join(ROOT, 'README.md'), ...(existsSync(docs) ? walk(docs) : []), ...beside]
}

interface CommandLine {
  readonly where: string
  readonly line: string
  /** The line says the command is Bun's spelling of one beside it. */
  readonly bunMarked: boolean
}

/** Command lines of the shell code blocks (continuations joined, comments apart), and inline code that starts like a command. */
function commandLines(file: string): CommandLine[] {
  const name = relative(ROOT, file)
  const lines = readFileSync(file, 'utf8').split('\n')
  const found: CommandLine[] = []
  let fence: string | undefined
  let pending = ''
  lines.forEach((raw, index) => {
    const where = `${name}:${index + 1}`
    const opening = raw.match(/^\s*```(\w*)/)
    if (opening) {
      fence = fence === undefined ? opening[1]! : undefined
      return
    }
    if (fence !== undefined) {
      if (!SHELL_LANGUAGES.has(fence)) return
      const text = pending + raw.trim()
      if (text.endsWith('\\')) {
        pending = `${text.slice(0, -1)} `
        return
      }
      // A quoted argument spanning lines (a JSON body) is still one command.
      if ((text.match(/'/g) ?? []).length % 2 === 1) {
        pending = `${text} `
        return
      }
      pending = ''
      const [command = '', ...comment] = text.replace(/^\$\s+/, '').split(/\s+#\s|^#/)
      if (command.trim()) found.push({ where, line: command.trim(), bunMarked: /\bBun\b/.test(comment.join(' ')) })
      return
    }
    for (const [, span] of raw.matchAll(/`([^`]+)`/g)) {
      if (/^(bun|bunx|npm|npx)\s/.test(span!)) found.push({ where, line: span!, bunMarked: /\bBun\b/.test(raw.replace(/`[^`]*`/g, '')) })
    }
  })
  return found
}

/** The commands of one line: `a && b | c; d`, each without its leading VAR=value assignments. */
function commandsOf(line: string): string[][] {
  return line
    .split(/&&|\|\||[|;]/)
    .map((part) => part.trim().split(/\s+/).filter(Boolean))
    .map((words) => {
      while (words.length > 1 && /^[A-Z_][A-Z0-9_]*=/.test(words[0]!)) words.shift()
      return words
    })
    .filter((words) => words.length > 0 && !/^[A-Z_][A-Z0-9_]*=/.test(words[0]!))
}

const installedBin = (name: string) => existsSync(join(ROOT, 'node_modules/.bin', name)) || Object.hasOwn(pkg.bin ?? {}, name)

/** Why a command would not run on a Node-and-npm machine, or undefined when it would. */
function problem([program, ...args]: string[], bunMarked: boolean): string | undefined {
  if (program === 'bun' || program === 'bunx') return bunMarked ? undefined : 'bare `bun` (use npm run/npx, or mark it as the Bun alternative)'
  if (program === 'npm') {
    const [verb, ...rest] = args
    const script = rest.find((arg) => !arg.startsWith('-'))
    if (verb === 'run' || verb === 'run-script') return script && Object.hasOwn(pkg.scripts, script) ? undefined : `no npm script "${script}"`
    if (verb === 'test' || verb === 'start') return Object.hasOwn(pkg.scripts, verb) ? undefined : `no npm script "${verb}"`
    return verb && NPM_BUILTINS.has(verb) ? undefined : `unknown npm command "${verb}"`
  }
  if (program === 'npx') {
    const bin = args.find((arg) => !arg.startsWith('-'))
    return bin && installedBin(bin) ? undefined : `npx ${bin}: not an installed bin`
  }
  if (program?.startsWith('./') || program?.startsWith('/')) return existsSync(join(ROOT, program)) ? undefined : `${program} does not exist`
  return SYSTEM.has(program!) || SERVICE_CLIS.has(program!) ? undefined : `"${program}" is not on a Node-and-npm machine (use npm run/npx)`
}

describe('every command in README.md, docs/ and the READMEs they send people to', () => {
  const lines = markdownFiles().flatMap(commandLines)

  it('finds the README quick start among them', () => {
    expect(lines.map((l) => l.line)).toContain('npm install && npm run dev')
    expect(lines.map((l) => l.line)).toContain('npm install && npm test')
  })

  it('names an npm script, an installed bin or a command a Node-and-npm machine has', () => {
    const problems = lines.flatMap(({ where, line, bunMarked }) =>
      commandsOf(line).flatMap((words) => {
        const why = problem(words, bunMarked)
        return why ? [`${where}: ${line}\n    ${why}`] : []
      }),
    )
    expect(problems).toEqual([])
  })
})

describe('the command-line check itself', () => {
  it('refuses a bare bun, an unknown script and an uninstalled bin', () => {
    expect(problem(['bun', 'run', 'soak'], false)).toContain('bare `bun`')
    expect(problem(['bun', 'run', 'dev'], true)).toBeUndefined()
    expect(problem(['npm', 'run', 'no-such-script'], false)).toContain('no npm script')
    expect(problem(['npx', 'no-such-bin'], false)).toContain('not an installed bin')
    expect(problem(['deno', 'run', '-A', 'x.ts'], false)).toContain('not on a Node-and-npm machine')
    expect(commandsOf('NODE_ENV=production PORT=1 npm start && curl -s x | node -e 1')).toEqual([
      ['npm', 'start'],
      ['curl', '-s', 'x'],
      ['node', '-e', '1'],
    ])
  })
})
