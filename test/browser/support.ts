import { existsSync, mkdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { type Browser, chromium, type Page } from 'playwright-core'

/** Debian's chromium (scripts/ensure-chromium.sh installs it); never a downloaded browser build. */
export const CHROMIUM = '/usr/bin/chromium'

export const ARTIFACTS = resolve(import.meta.dir, '../../test-artifacts')

/**
 * Installs Debian's chromium through the project's own script when it is missing, so a fresh
 * machine's `npm test` or `bun test` needs no manual step.
 */
function ensureChromium(): void {
  if (existsSync(CHROMIUM)) return
  const script = resolve(import.meta.dir, '../../scripts/ensure-chromium.sh')
  const run = Bun.spawnSync(['sh', script], { stdout: 'inherit', stderr: 'inherit' })
  if (run.exitCode !== 0 || !existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing and scripts/ensure-chromium.sh could not install it (it needs root and apt)`)
  }
}

export function launchChromium(): Promise<Browser> {
  ensureChromium()
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
}

/** Saves a full-page screenshot under test-artifacts/ and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true })
  const path = join(ARTIFACTS, `${name}.png`)
  await page.screenshot({ path, fullPage: true, animations: 'disabled' })
  return path
}

/** Collects uncaught page errors and console errors, so a test can assert there were none. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = []
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`))
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`)
  })
  return errors
}

/**
 * The causation path that led to `selector`'s card, oldest first, as `kind:name` strings. In the
 * page a strand lists things each caused by the one above it; the first thing of a branch was
 * caused by the item holding the branch list.
 */
export function causePath(page: Page, selector: string): Promise<string[]> {
  return page.evaluate((sel) => {
    const card = document.querySelector(sel)
    if (!card) return []
    const path: string[] = []
    let item = card.closest('li.node')
    while (item) {
      const own = item.querySelector(':scope > .card') as HTMLElement | null
      if (own) path.unshift(`${own.dataset.kind}:${own.dataset.name}`)
      const previous = item.previousElementSibling
      if (previous?.matches('li.node')) item = previous
      else item = item.parentElement?.closest('li.node') ?? null
    }
    return path
  }, selector)
}
