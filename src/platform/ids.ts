/**
 * Time-ordered UUIDv7
 * ids (RFC 9562) instead of random v4. Every id Herald makes — order ids, event ids, outbox
 * ids — lands in a unique index (domain_events.id, the (aggregate_type, aggregate_id, version)
 * stream key, outbox.id, ordering_orders.id). Random v4 ids insert at random places, so once
 * the event store outgrows SQLite's page cache (2 MB by default) each command touches cold
 * index pages all over the file; v7 ids sort by time and insert at the right edge, where the
 * pages are hot. Runtime-free: crypto.getRandomValues + Date.now(), monotonic within a ms.
 */
let lastMs = -1
let sequence = 0

export function uuidv7(): string {
  const bytes = new Uint8Array(16)
  crypto.getRandomValues(bytes)
  let ms = Date.now()
  if (ms <= lastMs) {
    ms = lastMs
    sequence = (sequence + 1) & 0xfff
    if (sequence === 0) ms = ++lastMs // 4,096 ids in one ms: borrow the next ms
  } else {
    lastMs = ms
    sequence = bytes[6]! & 0x07 // random start, room to count up
  }
  // 48-bit big-endian milliseconds
  bytes[0] = Math.floor(ms / 2 ** 40) & 0xff
  bytes[1] = Math.floor(ms / 2 ** 32) & 0xff
  bytes[2] = (ms >>> 24) & 0xff
  bytes[3] = (ms >>> 16) & 0xff
  bytes[4] = (ms >>> 8) & 0xff
  bytes[5] = ms & 0xff
  // version 7 + 12-bit counter (rand_a), variant 10 (rand_b)
  bytes[6] = 0x70 | ((sequence >>> 8) & 0x0f)
  bytes[7] = sequence & 0xff
  bytes[8] = 0x80 | (bytes[8]! & 0x3f)
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}
