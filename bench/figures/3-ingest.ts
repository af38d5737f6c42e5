/**
 * Figure 3 — ingest. Signed deliveries per second through `POST /subscribers/notifications`:
 * Herald verifies the Upstash-Signature (the SDK's Receiver, dev keys), parses the CloudEvent,
 * validates it against the BuyerRegistered v2 contract, checks the inbox, runs the welcome-mail
 * handler and commits mail + inbox rows in one batch. Every delivery is a fresh event id with a
 * valid signature, signed before the runs with test/support/qstash-signature.ts (autocannon's
 * per-request hook is synchronous). Baseline: a bare Hono route that parses the JSON and inserts
 * one row. 16 connections = the local broker's default delivery concurrency.
 */
import { join } from 'node:path'
import { signedPool } from '../harness/fixtures.ts'
import { type LoadShape, measurePair } from '../harness/pair.ts'
import type { RunningServer } from '../harness/process.ts'
import { entry } from '../harness/report.ts'
import type { Figure } from '../harness/suite.ts'

const PATH = '/subscribers/notifications'
const CONNECTIONS = 16
/** Deliveries signed per second of load; running out would resend (duplicates are cheaper). */
const POOL_PER_SECOND = 8000
/** A short run (the smoke test's 0.25 s) still gets enough: a quiet machine sends ~5,000 in its first second. */
const POOL_MIN = 10_000

/** Closed-loop signed deliveries, each a fresh event sent once, from a pool signed for `server`. */
export async function deliveriesShape(server: RunningServer, seconds: number, tag: string, connections = CONNECTIONS): Promise<LoadShape> {
  const pool = await signedPool(server.url, PATH, Math.max(POOL_MIN, Math.ceil(seconds * POOL_PER_SECOND)), tag)
  let next = 0 // across every run of this side: each delivery is sent once
  return {
    connections,
    request: () => {
      if (next >= pool.length) throw new Error(`ingest: all ${pool.length} pre-signed deliveries used; raise POOL_PER_SECOND`)
      const delivery = pool[next++]!
      return {
        method: 'POST',
        path: PATH,
        headers: { 'content-type': 'application/cloudevents+json', 'upstash-signature': delivery.signature },
        body: delivery.body,
      }
    },
    onResponse: (status, body) => {
      if (status === 200 && !body.includes('"processed"')) throw new Error(`ingest: a delivery was not processed: ${body}`)
    },
    expectStatus: 200,
  }
}

export const ingestFigure: Figure = {
  id: '3',
  title: 'Ingest: signed CloudEvent deliveries through POST /subscribers/notifications',
  async run(config) {
    const tag = `f3-${Date.now().toString(36)}`
    const { baseline: bare, subject: herald } = await measurePair(
      config,
      { label: 'bare', spec: { kind: 'bare-ingest', dbPath: join(config.workDir, 'f3-bare.db') }, shape: (s, t) => deliveriesShape(s, t, `${tag}-b`) },
      {
        label: 'herald',
        spec: { kind: 'herald', signed: true, dbPath: join(config.workDir, 'f3-herald.db'), experiments: config.experiments },
        profile: true,
        shape: (s, t) => deliveriesShape(s, t, `${tag}-h`),
      },
    )
    const notes =
      `closed loop, ${CONNECTIONS} connections, ${config.rounds} alternating runs of ${config.durationSec}s; unique BuyerRegistered v2 ` +
      'CloudEvents, each validly signed; baseline = bare route, JSON parse + one insert'
    return [
      entry({
        name: `3 ingest c=${CONNECTIONS} throughput`,
        unit: 'deliveries/s',
        value: herald.rps,
        baseline: bare.rps,
        target: { on: 'ratio', op: '>=', limit: 0.5 },
        notes,
      }),
      entry({ name: `3 ingest c=${CONNECTIONS} latency p50`, unit: 'ms', value: herald.latency.p50, baseline: bare.latency.p50, notes }),
      entry({ name: `3 ingest c=${CONNECTIONS} latency p99`, unit: 'ms', value: herald.latency.p99, baseline: bare.latency.p99, notes }),
    ]
  },
}
