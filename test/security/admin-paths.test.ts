import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { type Stack, startStack } from '../support/stack.ts'

/*
 * Admin routes that pass an id on to the QStash API (here the local broker over real HTTP, with
 * the real @upstash/qstash Client): an id arrives URL-decoded, so `..%2Ftopics%2F<group>` would
 * walk the broker's URL path to another resource.
 */

let stack: Stack
const victimGroup = 'victim-group'
let delayedMessageId: string

beforeAll(async () => {
  stack = await startStack()
  await stack.qstash.urlGroups.addEndpoints({ name: victimGroup, endpoints: [{ name: 'keep-me', url: `${stack.publicUrl}/subscribers/catalog` }] })
  const published = await stack.qstash.publish({ url: `${stack.publicUrl}/subscribers/catalog`, body: '{}', delay: 3600 })
  delayedMessageId = published.messageId
})
afterAll(() => stack?.stop())

const problemOf = async (response: Response) => {
  expect(response.headers.get('content-type')).toContain('application/problem+json')
  return (await response.json()) as { code: string; detail: string }
}
const groupExists = async (name: string) => (await stack.qstash.urlGroups.list()).some((g) => g.name === name)

describe('ids that would walk the QStash API path', () => {
  it('DELETE /admin/dead-letters/..%2Ftopics%2F<group> is a 400 and deletes no URL group', async () => {
    const response = await stack.admin(`/admin/dead-letters/..%2Ftopics%2F${victimGroup}`, { method: 'DELETE' })
    expect(response.status).toBe(400)
    expect((await problemOf(response)).code).toBe('REQUEST.INVALID')
    expect(await groupExists(victimGroup)).toBe(true)
  })

  it('DELETE /admin/dead-letters/..%2Fmessages%2F<id> is a 400 and cancels no message', async () => {
    const response = await stack.admin(`/admin/dead-letters/..%2Fmessages%2F${delayedMessageId}`, { method: 'DELETE' })
    expect(response.status).toBe(400)
    expect((await stack.qstash.messages.get(delayedMessageId)).messageId).toBe(delayedMessageId)
  })

  it('POST /admin/dead-letters/<traversal>/retry is a 400', async () => {
    const response = await stack.admin(`/admin/dead-letters/..%2F..%2Fv2%2Ftopics%2F${victimGroup}/retry`, { method: 'POST' })
    expect(response.status).toBe(400)
  })

  it('DELETE /admin/subscriptions/<traversal>/<name> is a 400 and removes nothing', async () => {
    for (const path of [`..%2F..%2Fv2%2Ftopics%2F${victimGroup}/keep-me`, `${victimGroup}/keep-me`, `herald.ordering.OrderShipped.v1/..%2Fx`]) {
      const response = await stack.admin(`/admin/subscriptions/${path}`, { method: 'DELETE' })
      expect(response.status, path).toBe(400)
      expect((await problemOf(response)).code, path).toBe('REQUEST.INVALID')
    }
    const group = await stack.qstash.urlGroups.get(victimGroup)
    expect(group.endpoints.map((e) => e.name)).toEqual(['keep-me'])
  })
})

describe('unknown ids', () => {
  it('are a 404 problem, not a 500', async () => {
    const cases: [string, RequestInit, string][] = [
      ['/admin/dead-letters/dlq_doesnotexist', { method: 'DELETE' }, 'DEAD_LETTER.NOT_FOUND'],
      ['/admin/dead-letters/dlq_doesnotexist/retry', { method: 'POST' }, 'DEAD_LETTER.NOT_FOUND'],
      ['/admin/subscriptions/herald.ordering.OrderShipped.v1/external-nobody', { method: 'DELETE' }, 'SUBSCRIPTION.NOT_FOUND'],
      ['/admin/subscriptions/herald.nowhere.Nothing.v1/external-nobody', { method: 'DELETE' }, 'SUBSCRIPTION.NOT_FOUND'],
    ]
    for (const [path, init, code] of cases) {
      const response = await stack.admin(path, init)
      expect(response.status, path).toBe(404)
      expect((await problemOf(response)).code, path).toBe(code)
    }
  })

  it('a known endpoint is still removed (204)', async () => {
    const eventType = 'herald.ordering.OrderShipped.v1'
    await stack.qstash.urlGroups.addEndpoints({ name: eventType, endpoints: [{ name: 'external-acme', url: `${stack.publicUrl}/subscribers/catalog` }] })
    expect((await stack.admin(`/admin/subscriptions/${eventType}/external-acme`, { method: 'DELETE' })).status).toBe(204)
    expect((await stack.qstash.urlGroups.get(eventType)).endpoints.map((e) => e.name)).not.toContain('external-acme')
  })
})
