import { afterAll, afterEach, beforeAll, describe, expect, it } from 'bun:test'
import type { Browser } from 'playwright-core'
import { BuyerRegisteredV2 } from '../../src/contracts/index.ts'
import { toStructuredCloudEvent } from '../../src/platform/messaging/cloud-events.ts'
import { delivered } from '../support/deliveries.ts'
import { ADMIN_TOKEN, type Stack, startStack } from '../support/stack.ts'
import { waitFor } from '../support/wait-for.ts'
import { causePath, effectsOf, launchChromium, screenshot, type WaterfallRowView, waterfallRows, watchErrors } from './support.ts'

/*
 * The event-flow dashboard in a real browser: Debian's chromium driven by playwright-core, the
 * service and the local QStash-compatible broker over real HTTP (test/support/stack.ts). Every
 * wait is a condition with a deadline; screenshots go to test-artifacts/.
 */

let stack: Stack
let browser: Browser

beforeAll(async () => {
  // retries: 1, so a poison delivery reaches the DLQ after two attempts.
  stack = await startStack({ gracePeriodMs: 0, retries: 1 })
  browser = await launchChromium()
}, 600_000) // a fresh machine installs chromium with apt first
// A failed test must not leave its page (and its live stream) open for the next one.
afterEach(async () => {
  for (const context of browser?.contexts() ?? []) await context.close()
})
afterAll(async () => {
  await browser?.close()
  await stack?.stop()
})

const FLOW_TO_PAID = [
  'command:command',
  'domain:OrderStarted',
  'job:markAwaitingValidationWhenGracePeriodEnds',
  'delivery:markAwaitingValidationWhenGracePeriodEnds',
  'domain:OrderStatusChangedToAwaitingValidation',
  'integration:herald.ordering.OrderStatusChangedToAwaitingValidation.v1',
  'delivery:catalog',
  'integration:herald.catalog.OrderStockConfirmed.v1',
  'delivery:ordering',
  'domain:OrderStatusChangedToStockConfirmed',
  'integration:herald.ordering.OrderStatusChangedToStockConfirmed.v1',
  'delivery:payment',
  'integration:herald.payment.OrderPaymentSucceeded.v1',
  'delivery:ordering',
  'domain:OrderStatusChangedToPaid',
  'integration:herald.ordering.OrderStatusChangedToPaid.v1',
  'delivery:notifications',
  'reaction:order-paid',
]

describe('the event-flow dashboard', () => {
  it('shows a demo order travel to paid as a causation chain, and retries a dead letter from the page', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } })
    const errors = watchErrors(page)
    await page.goto(`${stack.publicUrl}/`)
    await page.locator('#live[data-state="live"]').waitFor({ timeout: 10_000 })

    // 1. A newcomer clicks one button and watches the whole flow.
    await page.getByRole('button', { name: 'Place demo order' }).click()
    await page.locator('#subject-status[data-status="paid"]').waitFor({ timeout: 20_000 })
    const paidMail = '.card[data-kind="reaction"][data-name="order-paid"]'
    await page.locator(paidMail).waitFor({ timeout: 20_000 })
    expect(await causePath(page, paidMail)).toEqual(FLOW_TO_PAID)
    // Beside the main chain: the buyer's registration reached notifications as a welcome mail.
    expect(await causePath(page, '.card[data-kind="reaction"][data-name="welcome"]')).toEqual([
      'command:command',
      'domain:OrderStarted',
      'domain:BuyerRegistered',
      'integration:herald.ordering.BuyerRegistered.v2',
      'delivery:notifications',
      'reaction:welcome',
    ])
    // Every delivery shows its attempts: one try each, HTTP 200, and the handler that ran.
    const deliveries = page.locator('.card[data-kind="delivery"]')
    // The paid mail may come before Catalog's delivery of the same event: wait for every delivery to be made.
    await waitFor(async () => (await page.locator('.card[data-kind="delivery"][data-state="delivered"]').count()) === 8, { what: 'all eight deliveries made' })
    expect(await deliveries.count()).toBe(8)
    for (const text of await deliveries.allInnerTexts()) expect(text).toContain('try · 200 processed')
    await expect(page.locator('.card[data-kind="delivery"][data-name="payment"]').innerText()).resolves.toContain('chargeWhenOrderStockConfirmed')
    // The outbox shows everything published; the order list shows the order as paid.
    await waitFor(async () => (await page.locator('#outbox-body').innerText()).includes('0 pending'), { what: 'an empty outbox on the page' })
    await expect(page.locator('.subject-link[aria-current="true"]').innerText()).resolves.toContain('paid')
    await screenshot(page, 'dashboard-flow')

    // 2. A poison message: ordering's reaction to OrderStockConfirmed throws until "fixed".
    let fixed = false
    stack.herald.dispatcher.on(
      'OrderStatusChangedToStockConfirmed',
      function buggyWhenStockConfirmed() {
        if (!fixed) throw new Error('bug: cannot confirm stock')
      },
      { name: 'buggyWhenStockConfirmed' },
    )
    const firstOrder = await page.locator('.summary h3').getAttribute('title')
    await page.getByRole('button', { name: 'Place demo order' }).click()
    await waitFor(
      async () => {
        const shown = await page
          .locator('.summary h3')
          .getAttribute('title')
          .catch(() => null)
        return shown && shown !== firstOrder
      },
      { what: 'the second order on the page' },
    )
    const failing = '.card[data-kind="delivery"][data-name="ordering"][data-state="failing"]'
    await page.locator(failing).waitFor({ timeout: 20_000 })
    await waitFor(async () => (await page.locator(failing).innerText()).includes('retry 1 · 500'), { what: 'two failed attempts on the page' })
    expect(await page.locator(failing).locator('.next-step').innerText()).toStartWith('HTTP 500 (INTERNAL)')
    expect(await page.locator(failing).innerText()).toContain('try · 500')
    expect((await causePath(page, failing)).slice(-2)).toEqual(['integration:herald.catalog.OrderStockConfirmed.v1', 'delivery:ordering'])
    expect(await page.locator('#subject-status').getAttribute('data-status')).toBe('awaiting_validation')

    // 3. The operator enters the admin token; the dead letter shows up and the delivery is marked.
    await page.getByLabel('Admin token').fill(ADMIN_TOKEN)
    await page.getByRole('button', { name: 'Use token' }).click()
    const retry = page.getByRole('button', { name: 'Retry dead letter OrderStockConfirmed to ordering' })
    await retry.waitFor({ timeout: 20_000 })
    expect(await page.evaluate(() => sessionStorage.getItem('herald.adminToken'))).toBe(ADMIN_TOKEN)
    await waitFor(async () => (await page.locator(failing).innerText()).includes('dead letter'), { what: 'the delivery marked as a dead letter' })
    // The failure says what happened: the status, the handler's error code, a scrubbed excerpt of
    // the response and how QStash retried, not just "An unexpected error occurred".
    expect(await page.locator(failing).locator('.next-step').innerText()).toMatch(/^HTTP 500 \(INTERNAL\) on every attempt: QStash gave up/)
    const deadRow = page.locator('#dead-body li[data-status="500"]')
    const deadText = await deadRow.innerText()
    expect(deadText).toContain('HTTP 500')
    expect(deadText).toContain('INTERNAL')
    expect(await deadRow.getByLabel('Response body (scrubbed)').innerText()).toContain('"detail":"An unexpected error occurred"')
    expect(deadText).toMatch(/Tried 2 times \(1 retry, QStash's backoff: 12\.2 s\), then dead-lettered\./)
    await screenshot(page, 'dashboard-dead-letter')

    // 4. Fixed; retried from the page; the order finishes and the dead letter is gone.
    fixed = true
    await retry.click()
    await page.locator('#subject-status[data-status="paid"]').waitFor({ timeout: 20_000 })
    await page.getByText('No dead letters.').waitFor({ timeout: 20_000 })
    const recovered = page.locator('.card[data-kind="delivery"][data-name="ordering"]').first()
    await waitFor(async () => (await recovered.getAttribute('data-state')) === 'delivered', { what: 'the retried delivery to succeed' })
    expect(await recovered.innerText()).toMatch(/try · 500[\s\S]*retry 1 · 500[\s\S]*· 200 processed/)
    await page.locator(paidMail).waitFor({ timeout: 20_000 })
    await screenshot(page, 'dashboard-retried')
    expect(await (await stack.admin('/admin/dead-letters')).json()).toEqual([])

    expect(errors).toEqual([])
    await page.close()
  })

  it('draws the order as a waterfall: one labelled bar per step, in time along the causation chain, each reaction under its own delivery', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } })
    const errors = watchErrors(page)
    await page.goto(`${stack.publicUrl}/`)
    await page.locator('#live[data-state="live"]').waitFor({ timeout: 10_000 })
    await page.getByRole('button', { name: 'Place demo order' }).click()
    await page.locator('#subject-status[data-status="paid"]').waitFor({ timeout: 20_000 })
    await page.getByRole('tab', { name: 'Waterfall' }).click()
    await page.locator('.waterfall tr[data-step="reaction"]').first().waitFor({ timeout: 20_000 })
    // The paid mail is the chain's last step (a returning buyer gets no welcome mail this time).
    await page.locator('.card[data-kind="reaction"][data-name="order-paid"]').waitFor({ state: 'attached', timeout: 20_000 })
    await page.locator('.waterfall tr[data-step="reaction"][data-context="notifications"]').first().waitFor({ timeout: 20_000 })
    // The flow settles when every expected delivery has been made (none still waiting).
    await waitFor(
      async () =>
        (await page.locator('.card[data-kind="delivery"]:not([data-state="delivered"])').count()) === 0 &&
        (await page.locator('.waterfall tr[data-step="attempt"]').count()) === (await page.locator('.card[data-kind="delivery"]').count()),
      { what: 'every delivery made, in the tree and the waterfall' },
    )

    // A table for screen readers: named by its caption, a header per column, every row labelled.
    await page.getByRole('table', { name: /^Steps of order/ }).waitFor()
    expect(await page.locator('.waterfall thead th').allTextContents()).toEqual(['Step', 'Starts', 'Took'])
    const rows = await waterfallRows(page)
    expect(new Set(rows.map((r) => r.step))).toEqual(new Set(['command', 'commit', 'publish', 'attempt', 'reaction']))
    for (const row of rows) {
      expect(row.label.length).toBeGreaterThan(0)
      expect(row.starts).toMatch(/^\+\d+(\.\d+)? (ms|s)$/)
      expect(row.took).toMatch(/^(\d+(\.\d+)? (ms|s)|·)$/)
      expect(row.end).toBeGreaterThanOrEqual(row.start)
    }
    // One bar per delivery attempt, with its target, HTTP status and the handler that ran.
    const attempts = rows.filter((r) => r.step === 'attempt')
    // Every delivery was tried once (the buyer is a returning one: no BuyerRegistered this time).
    const deliveryCards = await page.locator('.card[data-kind="delivery"]').count()
    expect(deliveryCards).toBeGreaterThanOrEqual(7)
    expect(attempts).toHaveLength(deliveryCards)
    for (const a of attempts) expect(a.label).toMatch(/^deliver to \S+ · first try · HTTP 200/)
    expect(attempts.find((a) => a.context === 'payment')?.label).toContain('chargeWhenOrderStockConfirmed')

    // The chain from the command to the paid mail, as the waterfall links it: the same steps as
    // the tree, and each starting no earlier than its cause, drawn no further left.
    const byKey = new Map(rows.map((r) => [r.key, r]))
    const chain: WaterfallRowView[] = []
    for (let row = rows.find((r) => r.step === 'reaction' && r.label.startsWith('order-paid ')); row; row = row.cause ? byKey.get(row.cause) : undefined) {
      chain.unshift(row)
    }
    const named = (r: WaterfallRowView) => `${r.kind}:${r.label}`
    expect(chain.map(named)).toEqual([
      'command:command in ordering',
      'domain:commit OrderStarted (ordering)',
      'job:relay publish job markAwaitingValidationWhenGracePeriodEnds',
      expect.stringMatching(/^delivery:deliver to markAwaitingValidationWhenGracePeriodEnds · first try · HTTP 200/),
      'domain:commit OrderStatusChangedToAwaitingValidation (ordering)',
      'integration:relay publish OrderStatusChangedToAwaitingValidation',
      expect.stringMatching(/^delivery:deliver to catalog · first try · HTTP 200/),
      'integration:relay publish OrderStockConfirmed',
      expect.stringMatching(/^delivery:deliver to ordering · first try · HTTP 200/),
      'domain:commit OrderStatusChangedToStockConfirmed (ordering)',
      'integration:relay publish OrderStatusChangedToStockConfirmed',
      expect.stringMatching(/^delivery:deliver to payment · first try · HTTP 200/),
      'integration:relay publish OrderPaymentSucceeded',
      expect.stringMatching(/^delivery:deliver to ordering · first try · HTTP 200/),
      'domain:commit OrderStatusChangedToPaid (ordering)',
      'integration:relay publish OrderStatusChangedToPaid',
      expect.stringMatching(/^delivery:deliver to notifications · first try · HTTP 200/),
      expect.stringMatching(/^reaction:order-paid \(notifications\) · /),
    ])
    for (const [before, after] of chain.slice(0, -1).map((row, i) => [row, chain[i + 1]!] as const)) {
      expect(after.start).toBeGreaterThanOrEqual(before.start)
      // An instant is a 3 px tick centred on its moment: a pixel of slack.
      expect(after.barLeft).toBeGreaterThanOrEqual(before.barLeft - 1.5)
    }
    // The bars span the axis: the last step ends at its right edge, so the whole run is one look.
    const last = Math.max(...rows.map((r) => r.barLeft + r.barWidth))
    const track = await page.locator('.waterfall .wf-track').first().boundingBox()
    expect(Math.abs(last - (track!.x + track!.width))).toBeLessThan(4)

    // Exact linking: what a context did is drawn under that context's own delivery, in the
    // waterfall (a reaction's cause is the attempt that committed it) and in the tree.
    for (const row of rows) {
      const cause = row.cause ? byKey.get(row.cause) : undefined
      if (cause?.step === 'attempt' && ['catalog', 'payment', 'ordering', 'notifications'].includes(cause.context)) expect(row.context).toBe(cause.context)
    }
    const linked = await effectsOf(page, '.card[data-kind="delivery"][data-target-kind="subscriber"]')
    expect(linked).toHaveLength(await page.locator('.card[data-kind="delivery"][data-target-kind="subscriber"]').count())
    expect(linked.length).toBeGreaterThanOrEqual(6)
    // A delivery may cause nothing (a context that only listens); those on the chain do.
    expect(new Set(linked.filter((l) => l.effects.length > 0).map((l) => l.cause.context))).toEqual(
      new Set(['catalog', 'ordering', 'payment', 'notifications']),
    )
    for (const { cause, effects } of linked) {
      for (const effect of effects) expect({ under: cause.name, context: effect.context }).toEqual({ under: cause.name, context: cause.context })
    }
    await screenshot(page, 'dashboard-waterfall')

    expect(errors).toEqual([])
    await page.close()
  })

  it('works at phone width without horizontal overflow, and by keyboard', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 })
    const errors = watchErrors(page)
    await page.goto(`${stack.publicUrl}/`)
    await page.locator('#subject-status').waitFor({ timeout: 10_000 })
    await page.locator('.card[data-kind="reaction"][data-name="order-paid"]').first().waitFor({ timeout: 20_000 })
    const overflow = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, viewport: window.innerWidth }))
    expect(overflow.scroll).toBeLessThanOrEqual(overflow.viewport)
    const wide = await page.evaluate(() =>
      [...document.querySelectorAll('body *')]
        .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1 && !el.closest('.details'))
        .map((el) => `${el.tagName}.${el.className}`),
    )
    expect(wide).toEqual([])
    await screenshot(page, 'dashboard-phone')

    // Keyboard: the first Tab lands on the skip link, which moves focus to the timeline.
    await page.keyboard.press('Tab')
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to the timeline')
    await page.keyboard.press('Enter')
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('timeline')
    // Every order in the list is a link reachable by Tab, and Enter opens its timeline.
    const other = page.locator('.subject-link').nth(1)
    const otherId = await other.getAttribute('data-subject-id')
    await other.focus()
    await page.keyboard.press('Enter')
    await waitFor(async () => (await page.locator('.summary h3').getAttribute('title')) === otherId, { what: 'the chosen order by keyboard' })
    expect(await page.locator('.subject-link[aria-current="true"]').getAttribute('data-subject-id')).toBe(otherId)
    // Details open with the keyboard too, and say so.
    const toggle = page.locator('.card[data-kind="domain"][data-name="OrderStarted"] button.card-title')
    await toggle.focus()
    await page.keyboard.press('Enter')
    await waitFor(
      async () => (await page.locator('.card[data-kind="domain"][data-name="OrderStarted"] button.card-title').getAttribute('aria-expanded')) === 'true',
      { what: 'details open' },
    )
    expect(await page.locator('.card[data-kind="domain"][data-name="OrderStarted"] .details').innerText()).toContain('"type": "OrderStarted"')
    expect(await page.locator('#announcer').getAttribute('aria-live')).toBe('polite')

    expect(errors).toEqual([])
    await page.close()
  })

  it('keeps a phone page short: the chain and the waterfall as tabs, the side panels folded above the timeline, no word broken, the service named once', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 })
    const errors = watchErrors(page)
    const orderId = await stack.placeOrder()
    await stack.orderReaches(orderId, 'paid')
    await page.goto(`${stack.publicUrl}/#subject=${orderId}`)
    await page.locator('.card[data-kind="reaction"][data-name="order-paid"]').waitFor({ timeout: 20_000 })

    // The header names the service once (the default name is the product's own).
    await waitFor(async () => (await page.title()) === 'Herald event flow', { what: 'the service to be named' })
    expect(((await page.locator('header h1').innerText()).match(/herald/gi) ?? []).length).toBe(1)

    // One view of the chain at a time; the arrow keys move between the tabs.
    expect(await page.locator('#panel-waterfall').isHidden()).toBe(true)
    const chainTab = page.getByRole('tab', { name: 'Causation chain' })
    expect(await chainTab.getAttribute('aria-selected')).toBe('true')
    await chainTab.focus()
    await page.keyboard.press('ArrowRight')
    await page.locator('#panel-waterfall .waterfall').waitFor()
    expect(await page.locator('#panel-chain').isHidden()).toBe(true)
    expect(await page.getByRole('tab', { name: 'Waterfall' }).getAttribute('aria-selected')).toBe('true')
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('tab-waterfall')

    // Dead letters and the outbox: folded headings with their counts, above the timeline.
    const timelineTop = (await page.locator('#timeline').boundingBox())!.y
    for (const fold of ['#dead-letters', '#outbox']) {
      expect(await page.locator(fold).evaluate((d) => (d as HTMLDetailsElement).open)).toBe(false)
      expect((await page.locator(fold).boundingBox())!.y).toBeLessThan(timelineTop)
    }
    expect(await page.locator('#outbox-count').innerText()).toMatch(/^· \d+ pending/)
    await page.locator('#outbox > summary').click()
    await page.locator('#outbox-body .counts').waitFor()

    // No label breaks inside a word: every word of a name sits on one line (breaks fall between
    // words, or where the page put a <wbr> into a long camelCase or dotted name).
    const broken = await page.evaluate(() => {
      const found: string[] = []
      for (const el of document.querySelectorAll('.card-title, .wf-label, .row-title, .kind, .chip, h2, .tabs [role="tab"]')) {
        for (const node of el.childNodes) {
          if (node.nodeType !== Node.TEXT_NODE) continue
          const text = node.textContent ?? ''
          for (const match of text.matchAll(/\S+/g)) {
            const range = document.createRange()
            range.setStart(node, match.index)
            range.setEnd(node, match.index + match[0].length)
            const tops = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)))
            if (tops.size > 1) found.push(`${el.className}: ${match[0]}`)
          }
        }
      }
      return found
    })
    expect(broken).toEqual([])
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
    expect(overflow).toBeLessThanOrEqual(0)
    await screenshot(page, 'dashboard-phone-tabs')
    expect(errors).toEqual([])
    await page.close()
  })

  it('tells subjects apart by a distinguishing part of their ids, with the full id on hover and to copy', async () => {
    // Two orders of the same moment: their UUIDv7s begin alike (the first 12 hex digits are the clock).
    const ids = await Promise.all([stack.placeOrder(), stack.placeOrder()])
    expect(ids[0]!.slice(0, 8)).toBe(ids[1]!.slice(0, 8))
    const context = await browser.newContext({ viewport: { width: 1440, height: 1000 } })
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: stack.publicUrl })
    const page = await context.newPage()
    const errors = watchErrors(page)
    await page.goto(`${stack.publicUrl}/#subject=${ids[0]}`)
    for (const id of ids) await page.locator(`.subject-link[data-subject-id="${id}"]`).waitFor({ timeout: 10_000 })
    const shown = await page
      .locator('.subject-link')
      .evaluateAll((links) =>
        links.map((a) => ({ id: (a as HTMLElement).dataset.subjectId ?? '', text: a.querySelector('.id')?.textContent ?? '', title: a.getAttribute('title') })),
      )
    expect(new Set(shown.map((s) => s.text)).size).toBe(shown.length)
    for (const s of shown) {
      expect(s.title).toBe(s.id)
      expect(s.id.endsWith(s.text.replace('…', ''))).toBe(true)
    }
    await waitFor(async () => (await page.locator('.summary h3').getAttribute('title')) === ids[0], { what: 'the first order chosen' })
    await page.getByRole('button', { name: "Copy the order's full id" }).click()
    await waitFor(async () => (await page.evaluate(() => navigator.clipboard.readText())) === ids[0], { what: 'the full id on the clipboard' })
    expect(errors).toEqual([])
    await context.close()
  })

  it('explains a refused delivery (489) instead of offering a Retry that cannot succeed', async () => {
    // Invalid data for its contract: notifications answers 489, QStash dead-letters it at once.
    const event = delivered(BuyerRegisteredV2, crypto.randomUUID(), 'zed', { buyerId: 'zed' }, { correlationId: 'corr-zed' })
    const { messageId } = (await stack.qstash.publish({
      url: `${stack.publicUrl}/subscribers/notifications`,
      body: toStructuredCloudEvent(event, stack.publicUrl),
      headers: { 'Content-Type': 'application/cloudevents+json' },
    })) as { messageId: string }
    const entry = await waitFor(
      async () => ((await (await stack.admin('/admin/dead-letters')).json()) as { dlqId: string; messageId: string }[]).find((d) => d.messageId === messageId),
      { what: 'the refused message in the DLQ' },
    )
    const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } })
    const errors = watchErrors(page)
    await page.goto(`${stack.publicUrl}/`)
    await page.getByLabel('Admin token').fill(ADMIN_TOKEN)
    await page.getByRole('button', { name: 'Use token' }).click()
    const row = page.locator(`#dead-body li[data-dlq-id="${entry.dlqId}"]`)
    await row.waitFor({ timeout: 20_000 })
    const text = await row.innerText()
    expect(text).toContain('HTTP 489')
    expect(text).toContain('CONTRACT.INVALID_DATA')
    expect(text).toContain('A retry would fail the same way')
    expect(await row.getByRole('button').count()).toBe(0)
    expect(errors).toEqual([])
    await page.close()
    expect((await stack.admin(`/admin/dead-letters/${entry.dlqId}`, { method: 'DELETE' })).status).toBe(200)
  })

  it('closes the live stream when the page goes away', async () => {
    await waitFor(() => stack.herald.observability.feed.listeners === 0, { what: 'every dashboard stream to be closed' })
    const page = await browser.newPage()
    await page.goto(`${stack.publicUrl}/`)
    await page.locator('#live[data-state="live"]').waitFor({ timeout: 10_000 })
    expect(stack.herald.observability.feed.listeners).toBe(1)
    expect(stack.herald.observability.feed.running).toBe(true)
    await page.close()
    await waitFor(() => stack.herald.observability.feed.listeners === 0 && !stack.herald.observability.feed.running, {
      what: 'the stream to be closed and the shared poller stopped',
    })
  })
})
