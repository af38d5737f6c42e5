/** The timeline's two views as tabs (WAI-ARIA tabs: arrows move between them, Home/End to the ends). */

export type View = 'chain' | 'waterfall'

export function setUpTabs(tabs: readonly HTMLButtonElement[], show: (view: View) => void): void {
  const choose = (tab: HTMLButtonElement, focus: boolean) => {
    for (const t of tabs) {
      const selected = t === tab
      t.setAttribute('aria-selected', selected ? 'true' : 'false')
      t.tabIndex = selected ? 0 : -1
    }
    if (focus) tab.focus()
    show(tab.dataset.view as View)
  }
  tabs.forEach((tab, i) => {
    tab.addEventListener('click', () => choose(tab, false))
    tab.addEventListener('keydown', (event) => {
      const next = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 }[event.key]
      if (next === undefined) return
      event.preventDefault()
      choose(tabs[(next + tabs.length) % tabs.length]!, true)
    })
  })
}
