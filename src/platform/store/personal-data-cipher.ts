import type * as NodeCrypto from 'node:crypto'

/**
 * The vault's two primitives for one subject's 64-byte key: the synthetic IV (the first 12 bytes
 * of HMAC-SHA-256 under the key's second half) and AES-256-GCM under its first half, the 16-byte
 * tag after the ciphertext (WebCrypto's layout). Two implementations give the same bytes:
 * WebCrypto everywhere, and `node:crypto` where the runtime has it (Bun, Deno, Node, workerd with
 * `nodejs_compat`), which is synchronous and 20–40× cheaper a call than `crypto.subtle` (0.4–0.7
 * µs against 20–23 µs in Bun): a sealed value is one HMAC and one AES-GCM call.
 */
export interface SubjectCipher {
  /** The synthetic IV and the ciphertext with its tag. */
  seal(plain: Uint8Array, aad: Uint8Array): Promise<readonly [iv: Uint8Array, sealed: Uint8Array]>
  /** The plain bytes; rejects when the tag does not verify (another key, or mangled). */
  open(iv: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Promise<Uint8Array>
}

/** Makes a subject's cipher from its 64 bytes of key material. */
export type Sealing = (material: Uint8Array) => Promise<SubjectCipher>

const IV_BYTES = 12
const TAG_BYTES = 16

export const webCryptoSealing: Sealing = async (material) => {
  const [cipher, mac] = await Promise.all([
    crypto.subtle.importKey('raw', material.slice(0, 32), 'AES-GCM', false, ['encrypt', 'decrypt']),
    crypto.subtle.importKey('raw', material.slice(32, 64), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']),
  ])
  return {
    async seal(plain, aad) {
      const iv = new Uint8Array(await crypto.subtle.sign('HMAC', mac, plain as BufferSource)).slice(0, IV_BYTES)
      const sealed = await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: aad as BufferSource }, cipher, plain as BufferSource)
      return [iv, new Uint8Array(sealed)]
    },
    async open(iv, sealed, aad) {
      const opened = await crypto.subtle.decrypt(
        { name: 'AES-GCM', iv: iv as BufferSource, additionalData: aad as BufferSource },
        cipher,
        sealed as BufferSource,
      )
      return new Uint8Array(opened)
    },
  }
}

/** The same primitives through `node:crypto`, with the keys as KeyObjects (no key setup per call). */
export function nodeCryptoSealing(node: typeof NodeCrypto): Sealing {
  return async (material) => {
    const cipherKey = node.createSecretKey(material.slice(0, 32))
    const macKey = node.createSecretKey(material.slice(32, 64))
    return {
      async seal(plain, aad) {
        const iv = node.createHmac('sha256', macKey).update(plain).digest().subarray(0, IV_BYTES)
        const cipher = node.createCipheriv('aes-256-gcm', cipherKey, iv, { authTagLength: TAG_BYTES }).setAAD(aad)
        return [iv, concat(cipher.update(plain), cipher.final(), cipher.getAuthTag())]
      },
      async open(iv, sealed, aad) {
        if (sealed.length < TAG_BYTES) throw new Error('sealed value shorter than its tag')
        // authTagLength pins the tag at 16 bytes: Node would otherwise accept a truncated one.
        const decipher = node.createDecipheriv('aes-256-gcm', cipherKey, iv, { authTagLength: TAG_BYTES })
        decipher.setAAD(aad).setAuthTag(sealed.subarray(sealed.length - TAG_BYTES))
        return concat(decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)), decipher.final())
      },
    }
  }
}

let chosen: Sealing | undefined

/**
 * `node:crypto` when the runtime has it and it seals a known value to the bytes WebCrypto gives
 * (checked once, synchronously, at first use: never at a Worker's global scope), else WebCrypto.
 * `process.getBuiltinModule` rather than an import, so a runtime without `node:crypto` loads this
 * module all the same.
 */
export function defaultSealing(): Sealing {
  chosen ??= nodeCryptoIfSound() ?? webCryptoSealing
  return chosen
}

function nodeCryptoIfSound(): Sealing | undefined {
  try {
    const node = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule?.('node:crypto') as
      | typeof NodeCrypto
      | undefined
    if (typeof node?.createCipheriv !== 'function' || typeof node.createSecretKey !== 'function') return undefined
    return sealsKnownAnswer(node) ? nodeCryptoSealing(node) : undefined
  } catch {
    return undefined // a stub that throws "not implemented"
  }
}

/** Key bytes 0..63, AAD "kat", text "herald": the IV and sealed bytes WebCrypto gives (Bun and Deno agree). */
const KNOWN_IV = '34eacaac1f8ef5cddf0a9951'
const KNOWN_SEALED = 'd993f4f588e08c4b647270b480526aafbad2dc3f8d48'

function sealsKnownAnswer(node: typeof NodeCrypto): boolean {
  const material = Uint8Array.from({ length: 64 }, (_, i) => i)
  const plain = new TextEncoder().encode('herald')
  const iv = node
    .createHmac('sha256', node.createSecretKey(material.slice(32)))
    .update(plain)
    .digest()
    .subarray(0, IV_BYTES)
  const cipher = node.createCipheriv('aes-256-gcm', node.createSecretKey(material.slice(0, 32)), iv, { authTagLength: TAG_BYTES })
  cipher.setAAD(new TextEncoder().encode('kat'))
  const sealed = concat(cipher.update(plain), cipher.final(), cipher.getAuthTag())
  return hex(iv) === KNOWN_IV && hex(sealed) === KNOWN_SEALED
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0))
  let at = 0
  for (const part of parts) {
    out.set(part, at)
    at += part.length
  }
  return out
}

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
