import { byId } from './dom.ts'

/** The elements of the page's shell (page.ts) the script fills. */
export function pageElements() {
  return {
    live: byId('live'),
    liveText: byId('live-text'),
    announcer: byId('announcer'),
    demo: byId<HTMLFormElement>('demo'),
    scenario: byId<HTMLSelectElement>('scenario'),
    placeDemo: byId<HTMLButtonElement>('place-demo'),
    refresh: byId<HTMLButtonElement>('refresh'),
    subjectKind: byId<HTMLSelectElement>('subject-kind'),
    subjectKindLabel: byId('subject-kind-label'),
    subjects: byId('subjects'),
    subjectsTitle: byId('subjects-title'),
    subjectsHint: byId('subjects-hint'),
    kindHint: byId('kind-hint'),
    timelineBody: byId('timeline-body'),
    timelineStatus: byId('timeline-status'),
    outboxBody: byId('outbox-body'),
    relayFailed: byId<HTMLButtonElement>('relay-failed'),
    tokenForm: byId<HTMLFormElement>('token-form'),
    tokenInput: byId<HTMLInputElement>('admin-token'),
    forgetToken: byId<HTMLButtonElement>('forget-token'),
    deadBody: byId('dead-body'),
    serviceName: byId('service-name'),
    deadCount: byId('dead-count'),
    outboxCount: byId('outbox-count'),
    tabs: [byId<HTMLButtonElement>('tab-chain'), byId<HTMLButtonElement>('tab-waterfall')],
    folds: [byId<HTMLDetailsElement>('dead-letters'), byId<HTMLDetailsElement>('outbox')],
  }
}

export type PageElements = ReturnType<typeof pageElements>

/** Says something to screen readers (the polite live region). */
export function announcer(region: HTMLElement): (text: string) => void {
  return (text) => {
    region.textContent = ''
    // A separate task, so screen readers notice a repeated message too.
    setTimeout(() => {
      region.textContent = text
    }, 30)
  }
}
