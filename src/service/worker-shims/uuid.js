// The Worker bundle's `uuid` (wrangler.toml [alias]): the cloudevents SDK only calls `v4()`, for an
// event without an id (Herald always sets one); Workers have crypto.randomUUID. Saves the uuid package.
export const v4 = () => crypto.randomUUID()
