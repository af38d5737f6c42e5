/**
 * What each step of an ingest costs, alone (µs per delivery, median of batches): `bun run
 * bench/experiments/ingest-parts.ts`. Steps in the order POST /subscribers/{context} runs them.
 */
import { Receiver } from '@upstash/qstash'
import { contracts } from '../../src/contracts/index.ts'
import { parseCloudEvent } from '../../src/platform/messaging/cloud-events.ts'
import { DEV_QSTASH } from '../../src/platform/messaging/qstash.ts'
import { signedPool } from '../harness/fixtures.ts'
import { median } from '../harness/stats.ts'

const URL = 'http://127.0.0.1:1/subscribers/notifications'
const N = 4000
const pool = await signedPool('http://127.0.0.1:1', '/subscribers/notifications', N, 'parts')
const receiver = new Receiver({ currentSigningKey: DEV_QSTASH.currentSigningKey, nextSigningKey: DEV_QSTASH.nextSigningKey })
const headers = { 'content-type': 'application/cloudevents+json' }

async function time(label: string, op: (i: number) => unknown) {
  const samples: number[] = []
  for (let r = 0; r < 6; r++) {
    const t = Bun.nanoseconds()
    for (let i = 0; i < N; i++) await op(i)
    samples.push((Bun.nanoseconds() - t) / N / 1000)
  }
  console.log(`${label.padEnd(58)} ${median(samples.slice(1)).toFixed(1)} µs`)
}

await time('Receiver.verify (JWT HS256 + body SHA-256)', (i) => receiver.verify({ signature: pool[i]!.signature, body: pool[i]!.body, url: URL }))
await time('parseCloudEvent (cloudevents HTTP.toEvent)', (i) => parseCloudEvent(headers, pool[i]!.body))
const event = parseCloudEvent(headers, pool[0]!.body)
await time('contracts.read (zod, BuyerRegistered v2)', () => contracts.read(event.type, event.data))
await time('JSON.parse of the body (what the bare route does)', (i) => JSON.parse(pool[i]!.body))

const { nodeCryptoVerifier } = await import('./fast-verifier.ts')
const fast = nodeCryptoVerifier(DEV_QSTASH)
await time('proposal: node:crypto verifier, same checks', (i) => fast.verify({ signature: pool[i]!.signature, body: pool[i]!.body, url: URL }))
// Both verifiers must agree: valid passes; tampered body, wrong URL, next-key signature handled alike.
const { signDelivery } = await import('../../test/support/qstash-signature.ts')
const cases: [string, { signature: string; body: string; url: string }][] = [
  ['valid', { ...pool[0]!, url: URL }],
  ['tampered body', { signature: pool[0]!.signature, body: `${pool[0]!.body} `, url: URL }],
  ['wrong url', { ...pool[0]!, url: `${URL}x` }],
  ['next key', { signature: await signDelivery({ key: DEV_QSTASH.nextSigningKey, url: URL, body: 'b' }), body: 'b', url: URL }],
  ['unknown key', { signature: await signDelivery({ key: 'sig_nope', url: URL, body: 'b' }), body: 'b', url: URL }],
  [
    'expired',
    { signature: await signDelivery({ key: DEV_QSTASH.currentSigningKey, url: URL, body: 'b', nowSeconds: 1_000_000, expiresIn: 1 }), body: 'b', url: URL },
  ],
  ['not yet valid', { signature: await signDelivery({ key: DEV_QSTASH.currentSigningKey, url: URL, body: 'b', notBeforeOffset: 3600 }), body: 'b', url: URL }],
  [
    'HS512',
    { signature: await signDelivery({ key: DEV_QSTASH.currentSigningKey, url: URL, body: 'b', header: { alg: 'HS512', typ: 'JWT' } }), body: 'b', url: URL },
  ],
  ['wrong issuer', { signature: await signDelivery({ key: DEV_QSTASH.currentSigningKey, url: URL, body: 'b', claims: { iss: 'Evil' } }), body: 'b', url: URL }],
]
const outcome = (p: Promise<unknown>) =>
  p.then(
    () => 'accept',
    () => 'reject',
  )
for (const [name, request] of cases) {
  const [sdk, ours] = [await outcome(receiver.verify(request)), await outcome(fast.verify(request))]
  console.log(`${sdk === ours ? 'same' : 'DIFFERENT'}  ${name.padEnd(14)} SDK ${sdk}, proposal ${ours}`)
}
