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

export interface Effect {
  readonly kind: string
  readonly name: string
  readonly context: string
}

/**
 * What each card of `selector` directly caused, as the page draws it: the next item of its strand,
 * or the first item of each branch it holds.
 */
export function effectsOf(page: Page, selector: string): Promise<{ readonly cause: Effect; readonly effects: Effect[] }[]> {
  return page.evaluate((sel) => {
    const read = (card: HTMLElement) => ({ kind: card.dataset.kind ?? '', name: card.dataset.name ?? '', context: card.dataset.context ?? '' })
    return [...document.querySelectorAll<HTMLElement>(sel)].map((card) => {
      const item = card.closest('li.node')
      const next = item?.nextElementSibling?.matches('li.node') ? [item.nextElementSibling] : []
      const forks = [...(item?.querySelectorAll(':scope > .forks > li > .strand > li.node:first-child') ?? [])]
      const effects = [...next, ...forks].flatMap((node) => {
        const own = node.querySelector(':scope > .card') as HTMLElement | null
        return own ? [read(own)] : []
      })
      return { cause: read(card), effects }
    })
  }, selector)
}

export interface WaterfallRowView {
  readonly key: string
  readonly step: string
  readonly kind: string
  readonly context: string
  readonly cause: string | null
  readonly label: string
  readonly starts: string
  readonly took: string
  readonly start: number
  readonly end: number
  /** The drawn bar's left edge and width in CSS pixels. */
  readonly barLeft: number
  readonly barWidth: number
}

/** The waterfall's rows as the page shows them. */
export function waterfallRows(page: Page): Promise<WaterfallRowView[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll<HTMLTableRowElement>('.waterfall tbody tr')].map((tr) => {
      const bar = tr.querySelector('.wf-bar')?.getBoundingClientRect()
      const [starts, took] = [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')
      return {
        key: tr.dataset.key ?? '',
        step: tr.dataset.step ?? '',
        kind: tr.dataset.kind ?? '',
        context: tr.dataset.context ?? '',
        cause: tr.dataset.cause ?? null,
        label: tr.querySelector('th')?.textContent ?? '',
        starts: starts ?? '',
        took: took ?? '',
        start: Number(tr.dataset.start),
        end: Number(tr.dataset.end),
        barLeft: bar?.left ?? Number.NaN,
        barWidth: bar?.width ?? Number.NaN,
      }
    }),
  )
}
