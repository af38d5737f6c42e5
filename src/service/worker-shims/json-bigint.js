// The Worker bundle's `json-bigint` (wrangler.toml [alias]): the cloudevents SDK loads it only when
// CE_USE_BIG_INT=true (Herald never sets it), so json-bigint and bignumber.js (64 KiB) stay out.
// Setting that variable in a Worker fails loudly instead of silently losing precision.
export default function jsonBigint() {
  throw new Error('CE_USE_BIG_INT is not supported in the Herald Worker bundle (json-bigint is left out; see wrangler.toml [alias])')
}
