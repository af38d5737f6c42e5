import { describe, expect, it } from 'bun:test'
import {
  eventSource,
  eventType,
  inboxKey,
  jobPath,
  jobTopic,
  parseEventType,
  parseInboxKey,
  parseJobTopic,
  parseSchemaKey,
  schemaKey,
  schemaPath,
  subscriberPath,
} from '../../src/kernel/index.ts'

describe('addresses', () => {
  const paid = { source: 'ordering', name: 'OrderStatusChangedToPaid', version: 1 }

  it('builds and parses CloudEvents types (the URL-group names too)', () => {
    expect(eventType(paid)).toBe('herald.ordering.OrderStatusChangedToPaid.v1')
    expect(parseEventType(eventType(paid))).toEqual(paid)
    for (const bad of ['herald.ordering.Paid', 'herald.Ordering.Paid.v1', 'herald.ordering.Paid.v0', 'acme.ordering.Paid.v1', 'herald.ordering.Paid.v1.x']) {
      expect(parseEventType(bad)).toBeUndefined()
    }
  })

  it('builds schema keys and paths, sources and subscriber paths', () => {
    expect(schemaKey(paid)).toBe('herald.ordering.OrderStatusChangedToPaid')
    expect(parseSchemaKey(schemaKey(paid))).toEqual({ source: 'ordering', name: 'OrderStatusChangedToPaid' })
    expect(parseSchemaKey('herald.ordering.Paid.v1')).toBeUndefined()
    expect(schemaPath(paid)).toBe('/schemas/herald.ordering.OrderStatusChangedToPaid/1')
    expect(eventSource('catalog')).toBe('/herald/catalog')
    expect(subscriberPath('catalog')).toBe('/subscribers/catalog')
  })

  it('builds and parses after-commit job topics, paths and inbox keys', () => {
    expect(jobTopic('remindWhenDue')).toBe('handler:remindWhenDue')
    expect(parseJobTopic('handler:remindWhenDue')).toBe('remindWhenDue')
    expect(parseJobTopic(eventType(paid))).toBeUndefined()
    expect(jobPath('a b')).toBe('/internal/handlers/a%20b')
    expect(parseInboxKey(inboxKey({ context: 'catalog', handler: 'reserveWhenAwaiting' }))).toEqual({
      target: 'catalog',
      handler: 'reserveWhenAwaiting',
      kind: 'subscriber',
    })
    expect(parseInboxKey(inboxKey({ job: 'remindWhenDue' }))).toEqual({ target: 'remindWhenDue', handler: 'remindWhenDue', kind: 'handler' })
  })
})
