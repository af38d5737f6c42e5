import type { ChangeNotice } from '../../../observability/index.ts'
import { getToken, withToken } from './api.ts'
import { EVERYTHING, type Part, type Schedule } from './scheduler.ts'

export type SetLive = (state: 'connecting' | 'live' | 'down', text: string) => void

/** Which parts of the page a change notice makes stale. */
function partsOf(data: string, withDead: boolean): Part[] {
  let notice: Pick<ChangeNotice, 'changed'> = { changed: [] }
  try {
    notice = JSON.parse(data) as ChangeNotice
  } catch {
    // A malformed notice still means: refresh.
  }
  const parts = new Set<Part>()
  for (const part of notice.changed ?? []) {
    if (part === 'events') parts.add('subjects').add('timeline')
    if (part === 'outbox') parts.add('outbox').add('timeline')
    if (part === 'deliveries') {
      parts.add('timeline').add('subjects')
      if (withDead) parts.add('dead')
    }
  }
  return parts.size ? [...parts] : [...EVERYTHING]
}

/** Follows the change stream; reconnects by itself. Returns what closes it. */
export function connect(schedule: Schedule, setLive: SetLive): () => void {
  let source: EventSource | null = null
  const open = () => {
    // EventSource cannot send a token: with one, read the same stream through fetch.
    if (getToken()) return void streamWithToken(schedule, setLive, open)
    if (!('EventSource' in window)) return setLive('down', 'No live updates in this browser: use Refresh')
    const events = new EventSource('/dashboard/api/stream')
    source = events
    events.addEventListener('open', () => setLive('live', 'Live'))
    events.addEventListener('ready', () => {
      setLive('live', 'Live')
      schedule(EVERYTHING, 0)
    })
    events.addEventListener('change', (message) => {
      const parts = partsOf((message as MessageEvent<string>).data, !!getToken())
      schedule(parts)
      // QStash moves a message to the DLQ right after the last failed attempt we logged.
      if (parts.includes('dead')) setTimeout(() => schedule(['dead']), 1200)
    })
    events.addEventListener('error', () => {
      if (events.readyState !== EventSource.CLOSED) return setLive('connecting', 'Reconnecting…')
      // Closed for good (the server answered with an error): try again a little later.
      setLive('down', 'Disconnected, retrying…')
      events.close()
      setTimeout(open, 5000)
    })
  }
  open()
  return () => source?.close()
}

async function streamWithToken(schedule: Schedule, setLive: SetLive, reconnect: () => void): Promise<void> {
  try {
    const response = await fetch('/dashboard/api/stream', { headers: withToken({ Accept: 'text/event-stream' }) })
    if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`)
    setLive('live', 'Live')
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader()
    let buffer = ''
    for (;;) {
      const { value, done } = await reader.read()
      if (done) break
      buffer += value
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const message = buffer.slice(0, end)
        buffer = buffer.slice(end + 2)
        const event = /^event: ?(.*)$/m.exec(message)?.[1]
        const data = message
          .split('\n')
          .filter((l) => l.startsWith('data:'))
          .map((l) => l.slice(5).trim())
          .join('\n')
        if (event === 'ready') schedule(EVERYTHING, 0)
        if (event === 'change') schedule(partsOf(data, true))
      }
    }
  } catch {
    // Fall through: retry below.
  }
  setLive('down', 'Disconnected, retrying…')
  setTimeout(reconnect, 5000)
}
