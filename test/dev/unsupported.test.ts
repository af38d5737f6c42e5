import { afterEach, describe, expect, test } from 'bun:test'
import { QstashError, upstash } from '@upstash/qstash'
import { runCleanups, startReceiver, testBroker } from './support.ts'

afterEach(runCleanups)

async function refusal(promise: Promise<unknown>): Promise<QstashError> {
  const error = await promise.then(
    () => new Error('expected a refusal, got a success'),
    (caught: unknown) => caught,
  )
  if (!(error instanceof QstashError)) throw error
  return error
}

describe('dev broker: features it does not implement', () => {
  test('answer 404 naming the feature (as QStash answers an unknown route), never a silent success', async () => {
    const broker = await testBroker()
    const target = startReceiver()

    const workflow = await refusal(broker.client.workflow.cancel('wfr_1'))
    expect(workflow.status).toBe(404)
    expect(workflow.message).toContain('Workflows')

    const llm = await refusal(
      broker.client.publishJSON({
        api: { name: 'llm', provider: upstash() },
        body: { model: 'meta-llama/Meta-Llama-3-8B-Instruct', messages: [{ role: 'user', content: 'hi' }] },
        callback: target.url('/cb'),
      }),
    )
    expect(llm.status).toBe(404)
    expect(llm.message).toContain('QStash API (api/llm)')

    const pin = await refusal(broker.client.flowControl.pin('k', { parallelism: 1 }))
    expect(pin.status).toBe(404)
    expect(pin.message).toContain('pin')

    const unknown = await refusal(broker.client.queue({ queueName: 'q' }).enqueue({ url: target.url('/q'), body: 'x', method: 'BREW' as never }))
    expect(unknown.status).toBe(400) // a bad option is still the caller's error, not an unknown route
    expect(target.deliveries).toHaveLength(0)
  })
})
