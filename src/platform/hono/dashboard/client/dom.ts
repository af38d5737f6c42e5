/**
 * Building DOM from data. Every piece of data reaches the page through textContent or
 * setAttribute, never innerHTML, so event data can never become markup.
 */

export type Child = Node | string | number | null | undefined | false | readonly Child[]
type Props = Record<string, unknown> | null

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props?: Props, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag)
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue
    if (key === 'class') el.className = String(value)
    else if (key === 'text') el.textContent = String(value)
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value as EventListener)
    else el.setAttribute(key, value === true ? '' : String(value))
  }
  append(el, children)
  return el
}

function append(el: ParentNode, children: readonly Child[]): void {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue
    if (Array.isArray(child)) append(el, child)
    else el.append(child instanceof Node ? child : document.createTextNode(String(child)))
  }
}

/** replaceChildren, skipping empty slots (it would print "null"). */
export function fill(el: Element, ...children: Child[]): void {
  const scratch = document.createDocumentFragment()
  append(
    scratch,
    children.filter((child) => child !== ''),
  )
  el.replaceChildren(scratch)
}

export function chip(text: string, tone?: string, label?: string): HTMLSpanElement {
  return h('span', { class: `chip${tone ? ` ${tone}` : ''}`, 'aria-label': label }, text)
}

/** Re-renders a region without losing keyboard focus inside it. */
export function keepFocus(region: Element, render: () => void): void {
  const active = document.activeElement
  const key = active && region.contains(active) ? active.getAttribute('data-key') : null
  render()
  if (key) (region.querySelector(`[data-key="${CSS.escape(key)}"]`) as HTMLElement | null)?.focus()
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id)
  if (!el) throw new Error(`The page lacks #${id}`)
  return el as T
}

/**
 * A long name with places to break it between its words: after a dot, slash, dash, underscore or
 * colon, and before each capital of a camelCase word (`Order·Status·Changed·To·Paid`). The page's
 * CSS never breaks inside a word, so a narrow column wraps names there and nowhere else.
 */
export function breakable(text: string): Child[] {
  const parts = text.split(/(?<=[./_:-])|(?<=[a-z0-9])(?=[A-Z])/)
  return parts.flatMap((part, i) => (i === 0 ? [part] : [document.createElement('wbr'), part]))
}
