import { describe, expect, it } from 'bun:test'
import { loadConfig, loadServiceSettings } from '../../src/platform/config.ts'
import { startService } from '../../src/platform/runtime/service.ts'

describe('configuration', () => {
  it('reads the service settings once, with their defaults', () => {
    expect(loadServiceSettings({})).toEqual({
      host: '127.0.0.1',
      outboxSweepMs: 2000,
      deliveryLogRetentionHours: 168,
      idempotencyRetentionHours: 168,
      inboxRetentionHours: 720,
      shutdownGraceMs: 10_000,
      deliveryTimeoutSeconds: undefined,
      devBroker: { port: 8080, dbUrl: undefined, delayScale: undefined },
    })
    expect(loadServiceSettings({ OUTBOX_SWEEP_MS: '500', QSTASH_DEV_DELAY_SCALE: '0.01', DELIVERY_TIMEOUT_SECONDS: '30' })).toMatchObject({
      outboxSweepMs: 500,
      deliveryTimeoutSeconds: 30,
      devBroker: { delayScale: 0.01 },
    })
  })

  it('names the variable when a value is not what it must be', () => {
    expect(() => loadServiceSettings({ OUTBOX_SWEEP_MS: '2s' })).toThrow('OUTBOX_SWEEP_MS must be an integer of at least 1, got "2s"')
    expect(() => loadServiceSettings({ OUTBOX_SWEEP_MS: '0' })).toThrow('OUTBOX_SWEEP_MS must be an integer of at least 1, got "0"')
    expect(() => loadServiceSettings({ SHUTDOWN_GRACE_MS: '1e3' })).toThrow('SHUTDOWN_GRACE_MS must be a non-negative integer, got "1e3"')
    expect(() => loadServiceSettings({ QSTASH_DEV_DELAY_SCALE: 'fast' })).toThrow('QSTASH_DEV_DELAY_SCALE must be a positive number, got "fast"')
    expect(loadServiceSettings({ NODE_ENV: 'production' }).host).toBe('0.0.0.0')
    expect(loadServiceSettings({ HOST: '::' }).host).toBe('::')
    expect(() => loadServiceSettings({ HOST: '0.0.0.0:3000' })).toThrow('HOST must be an IP address or a host name to listen on, got "0.0.0.0:3000"')
    expect(() => loadServiceSettings({ INBOX_RETENTION_HOURS: '1' })).toThrow('INBOX_RETENTION_HOURS must be an integer of at least 48, got "1"')
    expect(() => loadServiceSettings({ IDEMPOTENCY_RETENTION_HOURS: '1d' })).toThrow('IDEMPOTENCY_RETENTION_HOURS must be an integer of at least 24, got "1d"')
    expect(() => loadConfig({ PORT: '30 00' })).toThrow('PORT must be a non-negative integer, got "30 00"')
  })

  it('stops a service at start-up on a bad setting, before it opens anything', async () => {
    let composed = false
    const started = startService(
      { OUTBOX_SWEEP_MS: '2s', DATABASE_URL: 'file:/nonexistent/never-created.db' },
      () => Promise.reject(new Error('must not serve')),
      'test',
      () => {
        composed = true
        return []
      },
    )
    await expect(started).rejects.toThrow('OUTBOX_SWEEP_MS must be an integer of at least 1, got "2s"')
    expect(composed).toBe(false)
  })
})
