import { describe, expect, it } from 'bun:test'
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'

const kernel = join(import.meta.dir, '../../src/kernel')

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  )
}

const specifiers = (source: string) =>
  [...source.matchAll(/(?:import|export)[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1] ?? m[2] ?? '')

describe('src/kernel', () => {
  const files = sourceFiles(kernel)

  it('has source files to check', () => {
    expect(files.length).toBeGreaterThan(5)
  })

  it('imports nothing but its own files and zod (no node:*, bun, @libsql, @upstash, cloudflare:)', () => {
    const offenders = files.flatMap((file) =>
      specifiers(readFileSync(file, 'utf8'))
        .filter((spec) => !spec.startsWith('./') && !spec.startsWith('../') && spec !== 'zod')
        .map((spec) => `${relative(kernel, file)} imports ${spec}`),
    )
    expect(offenders).toEqual([])
  })

  it('never escapes the kernel folder with a relative import', () => {
    const offenders = files.flatMap((file) =>
      specifiers(readFileSync(file, 'utf8'))
        .filter((spec) => spec.startsWith('.') && relative(kernel, join(file, '..', spec)).startsWith('..'))
        .map((spec) => `${relative(kernel, file)} imports ${spec}`),
    )
    expect(offenders).toEqual([])
  })

  it('touches no runtime globals (process, Bun, Deno, require)', () => {
    const offenders = files.filter((file) => {
      const code = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '')
      return /\b(process|Bun|Deno|require)\s*[.(]/.test(code)
    })
    expect(offenders.map((f) => relative(kernel, f))).toEqual([])
  })
})
