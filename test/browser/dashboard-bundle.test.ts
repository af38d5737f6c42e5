import { describe, expect, it } from 'bun:test'
import { buildDashboardJs } from '../../scripts/build-dashboard.ts'
import { DASHBOARD_JS } from '../../src/platform/hono/dashboard/assets/client.bundle.ts'

/*
 * The page's script is TypeScript (src/platform/hono/dashboard/client/); what the service serves
 * is the committed bundle, because the Worker cannot run Bun.build. This gate keeps the two one.
 */
describe('the dashboard bundle', () => {
  it('is what a fresh build of the client sources gives (else run npm run build:dashboard)', async () => {
    const fresh = await buildDashboardJs()
    expect(DASHBOARD_JS === fresh).toBe(true)
  })

  it('is one classic script: no imports left, nothing global but what it defines', () => {
    expect(DASHBOARD_JS).not.toMatch(/^\s*(import|export)\s/m)
    expect(() => new Function(DASHBOARD_JS)).not.toThrow()
  })
})
