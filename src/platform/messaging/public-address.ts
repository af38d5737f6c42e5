/**
 * Which IP addresses a webhook may point at: public unicast only. Every spelling of an address
 * (`::ffff:127.0.0.1`, `0:0:0:0:0:ffff:7f00:1`, `0x7f.1`, `2130706433`) is first read by the
 * WHATWG URL parser — the one `fetch` itself uses to pick what it connects to, shipped by every
 * runtime Herald runs on — so the check and the connection can never disagree about the address.
 * The verdict is then taken on the bytes, against the special-purpose registries
 * (https://www.iana.org/assignments/iana-ipv4-special-registry,
 * https://www.iana.org/assignments/iana-ipv6-special-registry).
 */

type Bytes = readonly number[]
type Block = { readonly bytes: Bytes; readonly bits: number }

/** True for anything but a public unicast address; also for what is not an IP address at all (fail closed). */
export function isInternalAddress(address: string): boolean {
  const bytes = addressBytes(address)
  if (!bytes) return true
  return bytes.length === 4 ? isInternalV4(bytes) : isInternalV6(bytes)
}

/** Whether `host` (a URL's hostname, brackets or not) is an IP literal rather than a name. */
export function isIpLiteral(host: string): boolean {
  return addressBytes(host) !== undefined
}

/** An IPv4 address as 4 bytes or an IPv6 one as 16, in whatever spelling; undefined for a name or nonsense. */
export function addressBytes(address: string): Bytes | undefined {
  const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address
  const host = canonicalHost(bare.includes(':') ? `[${bare}]` : bare)
  if (host === undefined) return undefined
  return host.startsWith('[') ? ipv6Bytes(host.slice(1, -1)) : ipv4Bytes(host)
}

function canonicalHost(host: string): string | undefined {
  try {
    return new URL(`http://${host}/`).hostname
  } catch {
    return undefined
  }
}

/** The parser's IPv4 serialisation is always four decimal parts; a name never is (its last label cannot be numeric). */
function ipv4Bytes(host: string): Bytes | undefined {
  const parts = host.split('.')
  if (parts.length !== 4) return undefined
  const bytes = parts.map((part) => (part === '' ? Number.NaN : Number(part)))
  return bytes.every((n) => Number.isInteger(n) && n >= 0 && n <= 255) ? bytes : undefined
}

/** The parser's IPv6 serialisation: lowercase hex pieces, one `::` at most, never a dotted tail. */
function ipv6Bytes(host: string): Bytes | undefined {
  const [head = '', tail] = host.split('::')
  const pieces = (text: string) => (text === '' ? [] : text.split(':').map((piece) => Number.parseInt(piece, 16)))
  const front = pieces(head)
  const back = tail === undefined ? [] : pieces(tail)
  const zeros = tail === undefined ? 0 : 8 - front.length - back.length
  const words = [...front, ...Array<number>(zeros).fill(0), ...back]
  if (words.length !== 8 || words.some((w) => !Number.isInteger(w) || w < 0 || w > 0xffff)) return undefined
  return words.flatMap((w) => [w >> 8, w & 0xff])
}

const block = (cidr: string): Block => {
  const [address = '', bits = ''] = cidr.split('/')
  const bytes = addressBytes(address)
  if (!bytes) throw new Error(`not an address block: ${cidr}`)
  return { bytes, bits: Number(bits) }
}

const within = (bytes: Bytes, { bytes: prefix, bits }: Block): boolean => {
  if (bytes.length !== prefix.length) return false
  for (let bit = 0; bit < bits; bit += 8) {
    const mask = bits - bit >= 8 ? 0xff : (0xff << (8 - (bits - bit))) & 0xff
    if ((bytes[bit / 8]! & mask) !== (prefix[bit / 8]! & mask)) return false
  }
  return true
}

/** This network, private, shared (CGNAT), loopback, link-local (cloud metadata), IETF, documentation, 6to4 relay, benchmarking, multicast, reserved, broadcast. */
const INTERNAL_V4 = [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.0.0.0/24',
  '192.0.2.0/24',
  '192.88.99.0/24',
  '192.168.0.0/16',
  '198.18.0.0/15',
  '198.51.100.0/24',
  '203.0.113.0/24',
  '224.0.0.0/4',
  '240.0.0.0/4',
].map(block)

/** IPv6 forms that carry an IPv4 address the connection really goes to: mapped, and the NAT64 well-known prefix. */
const EMBEDS_V4 = ['::ffff:0:0/96', '64:ff9b::/96'].map(block)
/** Global unicast; everything outside it (loopback, unspecified, ULA, link-local, multicast, IPv4-compatible, …) is internal. */
const GLOBAL_UNICAST_V6 = block('2000::/3')
/** Inside global unicast but special: IETF protocol assignments (Teredo, benchmarking, ORCHID), documentation, 6to4. */
const SPECIAL_V6 = ['2001::/23', '2001:db8::/32', '2002::/16', '3fff::/20'].map(block)

function isInternalV4(bytes: Bytes): boolean {
  return INTERNAL_V4.some((b) => within(bytes, b))
}

function isInternalV6(bytes: Bytes): boolean {
  if (EMBEDS_V4.some((b) => within(bytes, b))) return isInternalV4(bytes.slice(12))
  return !within(bytes, GLOBAL_UNICAST_V6) || SPECIAL_V6.some((b) => within(bytes, b))
}
