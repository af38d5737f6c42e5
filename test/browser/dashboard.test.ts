import { afterAll, afterEach, beforeAll, describe, expect, it } from 'bun:test'
import type { Browser } from 'playwright-core'
import { ADMIN_TOKEN, type Stack, startStack } from '../support/stack.ts'
import { waitFor } from '../support/wait-for.ts'
import { causePath, launchChromium, screenshot, watchErrors } from './support.ts'

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
  'mail:order-paid',
]

describe('the event-flow dashboard', () => {
  it('shows a demo order travel to paid as a causation chain, and retries a dead letter from the page', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } })
    const errors = watchErrors(page)
    await page.goto(`${stack.publicUrl}/`)
    await page.locator('#live[data-state="live"]').waitFor({ timeout: 10_000 })

    // 1. A newcomer clicks one button and watches the whole flow.
    await page.getByRole('button', { name: 'Place demo order' }).click()
    await page.locator('#order-status[data-status="paid"]').waitFor({ timeout: 20_000 })
    const paidMail = '.card[data-kind="mail"][data-name="order-paid"]'
    await page.locator(paidMail).waitFor({ timeout: 20_000 })
    expect(await causePath(page, paidMail)).toEqual(FLOW_TO_PAID)
    // Beside the main chain: the buyer's registration reached notifications as a welcome mail.
    expect(await causePath(page, '.card[data-kind="mail"][data-name="welcome"]')).toEqual([
      'command:command',
      'domain:OrderStarted',
      'domain:BuyerRegistered',
      'integration:herald.ordering.BuyerRegistered.v2',
      'delivery:notifications',
      'mail:welcome',
    ])
    // Every delivery shows its attempts: one try each, HTTP 200, and the handler that ran.
    const deliveries = page.locator('.card[data-kind="delivery"]')
    expect(await deliveries.count()).toBe(8)
    for (const text of await deliveries.allInnerTexts()) expect(text).toContain('try · 200 processed')
    await expect(page.locator('.card[data-kind="delivery"][data-name="payment"]').innerText()).resolves.toContain('chargeWhenOrderStockConfirmed')
    // The outbox shows everything published; the order list shows the order as paid.
    await waitFor(async () => (await page.locator('#outbox-body').innerText()).includes('0 pending'), { what: 'an empty outbox on the page' })
    await expect(page.locator('.order-link[aria-current="true"]').innerText()).resolves.toContain('paid')
    await screenshot(page, 'dashboard-flow')

    // 2. A poison message: ordering's reaction to OrderStockConfirmed throws until "fixed".
    let fixed = false
    stack.herald.dispatcher.on('OrderStatusChangedToStockConfirmed', function buggyWhenStockConfirmed() {
      if (!fixed) throw new Error('bug: cannot confirm stock')
    })
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
    expect(await page.locator(failing).innerText()).toContain('try · 500')
    expect((await causePath(page, failing)).slice(-2)).toEqual(['integration:herald.catalog.OrderStockConfirmed.v1', 'delivery:ordering'])
    expect(await page.locator('#order-status').getAttribute('data-status')).toBe('awaiting_validation')

    // 3. The operator enters the admin token; the dead letter shows up and the delivery is marked.
    await page.getByLabel('Admin token').fill(ADMIN_TOKEN)
    await page.getByRole('button', { name: 'Use token' }).click()
    const retry = page.getByRole('button', { name: 'Retry dead letter OrderStockConfirmed to ordering' })
    await retry.waitFor({ timeout: 20_000 })
    expect(await page.evaluate(() => sessionStorage.getItem('herald.adminToken'))).toBe(ADMIN_TOKEN)
    await waitFor(async () => (await page.locator(failing).innerText()).includes('dead letter'), { what: 'the delivery marked as a dead letter' })
    await screenshot(page, 'dashboard-dead-letter')

    // 4. Fixed; retried from the page; the order finishes and the dead letter is gone.
    fixed = true
    await retry.click()
    await page.locator('#order-status[data-status="paid"]').waitFor({ timeout: 20_000 })
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

  it('works at phone width without horizontal overflow, and by keyboard', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 })
    const errors = watchErrors(page)
    await page.goto(`${stack.publicUrl}/`)
    await page.locator('#order-status').waitFor({ timeout: 10_000 })
    await page.locator('.card[data-kind="mail"][data-name="order-paid"]').first().waitFor({ timeout: 20_000 })
    const overflow = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, viewport: window.innerWidth }))
    expect(overflow.scroll).toBeLessThanOrEqual(overflow.viewport)
    const wide = await page.evaluate(() =>
      [...document.querySelectorAll('body *')]
        .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1 && !el.closest('.details'))
        .map((el) => el.tagName + '.' + el.className),
    )
    expect(wide).toEqual([])
    await screenshot(page, 'dashboard-phone')

    // Keyboard: the first Tab lands on the skip link, which moves focus to the timeline.
    await page.keyboard.press('Tab')
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to the timeline')
    await page.keyboard.press('Enter')
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('timeline')
    // Every order in the list is a link reachable by Tab, and Enter opens its timeline.
    const other = page.locator('.order-link').nth(1)
    const otherId = await other.getAttribute('data-order-id')
    await other.focus()
    await page.keyboard.press('Enter')
    await waitFor(async () => (await page.locator('.summary h3').getAttribute('title')) === otherId, { what: 'the chosen order by keyboard' })
    expect(await page.locator('.order-link[aria-current="true"]').getAttribute('data-order-id')).toBe(otherId)
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
