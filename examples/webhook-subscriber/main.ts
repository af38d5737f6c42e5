import { webhookApp } from './app.ts'

// bun run examples/webhook-subscriber/main.ts — then register it with Herald:
//   curl -X POST $HERALD/admin/subscriptions -H "Authorization: Bearer $ADMIN_TOKEN" \
//     -H 'Content-Type: application/json' \
//     -d '{"eventType":"herald.ordering.OrderStatusChangedToPaid.v1","name":"my-shop","url":"http://127.0.0.1:4000/events"}'
const port = Number(process.env.PORT ?? 4000)
const { app } = webhookApp({
  currentSigningKey: required('QSTASH_CURRENT_SIGNING_KEY'),
  nextSigningKey: required('QSTASH_NEXT_SIGNING_KEY'),
  publicUrl: process.env.PUBLIC_URL ?? `http://127.0.0.1:${port}`,
})
Bun.serve({ port, fetch: app.fetch })
console.log(`[webhook] listening on ${port}`)

function required(name: string): string {
  const value = process.env[name]
  if (!value) throw new Error(`${name} is required`)
  return value
}
