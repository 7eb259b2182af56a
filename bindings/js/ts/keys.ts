/**
 * Ed25519 keys and every import/export format: raw seed, seed‖public, PKCS#8 (v1/v2, PEM and
 * DER), SPKI (PEM and DER), JWK (RFC 8037), multibase `z6Mk…`, did:key, DNS/registry records.
 *
 * @module
 */
// `[Symbol.dispose]` below needs this lib in the user's program too: without it a project with
// `skipLibCheck: false` and no @types/node fails on our declarations. `preserve` keeps the
// directive in the emitted keys.d.ts.
/// <reference lib="esnext.disposable" preserve="true" />
import type { WasmSigningKey, WasmVerifyingKey } from '#wasm/types'
import { errorFor } from './errors.js'
import { call } from './native.js'
import { bytes, glueObject, jsonText, optText, text } from './util.js'

/** DID document styles for {@link VerifyingKey.didDocument}. */
export type DidDocumentFormat = 'Multikey' | 'Ed25519VerificationKey2020' | 'JsonWebKey'

const FORMAT: Record<DidDocumentFormat, number> = { Multikey: 0, Ed25519VerificationKey2020: 1, JsonWebKey: 2 }

let skInner: (k: SigningKey) => WasmSigningKey
let makeSk: (w: WasmSigningKey) => SigningKey
let vkInner: (k: VerifyingKey) => WasmVerifyingKey
let makeVk: (w: WasmVerifyingKey) => VerifyingKey

/**
 * A key that never leaves its store (a KMS, an HSM, the OS keychain): its public key and a
 * function that signs bytes. Every function that takes a {@link SigningKey} to sign also takes
 * a `Signer`. Each signature it returns is verified under `publicKey` before it is used (a
 * wrong or garbled signature is `signer_failed`, never a token that fails later).
 *
 * `sign` is called synchronously from WebAssembly, so it must return the signature, not a
 * Promise (a Promise is `signer_failed`); see the TypeScript guide for asynchronous KMS APIs.
 * `publicKey` is read once per signer object.
 *
 * @example
 * ```ts
 * import { generateKeyPairSync, sign } from 'node:crypto'
 * const { privateKey, publicKey } = generateKeyPairSync('ed25519')
 * const signer: Signer = {
 *   publicKey: new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }).subarray(12)),
 *   sign: (data) => new Uint8Array(sign(null, data, privateKey)),
 * }
 * const passport = issueSelfPassport(signer, { name: 'weather' })
 * ```
 */
export interface Signer {
  /** The public key: 32 bytes, a did:key, or a {@link VerifyingKey}. */
  readonly publicKey: Uint8Array | string | VerifyingKey
  /** A 64-byte pure Ed25519 signature over `data`, synchronously. Throwing is `signer_failed`. */
  sign(data: Uint8Array): Uint8Array
}

const hostSigners = new WeakMap<object, WasmSigningKey>()

function isSignerShape(k: unknown): k is Signer {
  return typeof k === 'object' && k !== null && 'publicKey' in k && typeof (k as { sign?: unknown }).sign === 'function'
}

function hostSigner(s: Signer, name: string): WasmSigningKey {
  const cached = hostSigners.get(s)
  if (cached !== undefined) return cached
  const pk = s.publicKey
  let raw: Uint8Array
  if (pk instanceof VerifyingKey) raw = pk.toBytes()
  else if (typeof pk === 'string') raw = VerifyingKey.fromDidKey(pk).toBytes()
  else if (pk instanceof Uint8Array) raw = pk
  else throw errorFor('invalid_key', `${name}.publicKey must be 32 bytes, a did:key or a VerifyingKey`)
  const sign = (data: Uint8Array): unknown => {
    const out: unknown = s.sign(data)
    if (typeof (out as { then?: unknown } | null)?.then === 'function') {
      throw new Error('sign() returned a Promise; a Signer must sign synchronously (see the guide for asynchronous KMS APIs)')
    }
    return out
  }
  const w = call((g) => g.WasmSigningKey.fromSigner(raw, sign))
  hostSigners.set(s, w)
  return w
}

/** @internal The glue object of a SigningKey or Signer argument. */
export function signingKeyArg(k: unknown, name = 'key'): WasmSigningKey {
  if (k instanceof SigningKey) return skInner(k)
  if (isSignerShape(k)) return hostSigner(k, name)
  throw errorFor('invalid_key', `${name} must be a SigningKey or a Signer ({ publicKey, sign(data) })`)
}

/** @internal The public key of a SigningKey or Signer argument. */
export function signerPublicKey(k: unknown, name = 'key'): VerifyingKey {
  return makeVk(call(() => signingKeyArg(k, name).verifyingKey()))
}

/** @internal The glue object of a VerifyingKey argument. */
export function verifyingKeyArg(k: unknown, name = 'key'): WasmVerifyingKey {
  if (!(k instanceof VerifyingKey)) throw errorFor('invalid_key', `${name} must be a VerifyingKey`)
  return vkInner(k)
}

/** @internal */
export function wrapVerifyingKey(w: WasmVerifyingKey): VerifyingKey {
  return makeVk(w)
}

function randomSeed(): Uint8Array {
  const c = (globalThis as { crypto?: Crypto }).crypto
  if (c === undefined || typeof c.getRandomValues !== 'function') {
    throw errorFor('invalid_key', 'globalThis.crypto.getRandomValues is not available; pass a seed to SigningKey.fromBytes')
  }
  return c.getRandomValues(new Uint8Array(32))
}

/**
 * An Ed25519 signing (secret) key. The secret stays inside WebAssembly memory; export it
 * only explicitly ({@link SigningKey.toBytes}, {@link SigningKey.toPkcs8Pem}, …).
 *
 * @example
 * ```ts
 * const sk = SigningKey.generate()
 * const did = sk.verifyingKey().toDidKey() // did:key:z6Mk…
 * const sig = sk.sign(new TextEncoder().encode('hello'))
 * sk.verifyingKey().verify(new TextEncoder().encode('hello'), sig)
 * ```
 */
export class SigningKey {
  readonly #inner: WasmSigningKey
  static {
    skInner = (k) => k.#inner
    makeSk = (w) => new SigningKey(w)
  }
  private constructor(inner: WasmSigningKey) {
    this.#inner = glueObject(inner, 'SigningKey', 'SigningKey.generate(), fromBytes, fromPkcs8Pem or fromJwk')
  }

  /** A new key from 32 bytes of `crypto.getRandomValues`. */
  static generate(): SigningKey {
    const seed = randomSeed()
    try {
      return SigningKey.fromBytes(seed)
    } finally {
      seed.fill(0)
    }
  }

  /**
   * From a 32-byte seed or a 64-byte seed‖public key pair.
   * @throws InvalidKeyError `invalid_key_length`, `key_mismatch` (public half does not match).
   */
  static fromBytes(seed: Uint8Array): SigningKey {
    const b = bytes(seed, 'seed', 'invalid_key_length')
    return new SigningKey(call((g) => g.WasmSigningKey.fromBytes(b)))
  }

  /** From PKCS#8 DER (v1 or v2). @throws InvalidKeyError `malformed_der`, `key_mismatch`. */
  static fromPkcs8Der(der: Uint8Array): SigningKey {
    const b = bytes(der, 'der', 'malformed_der')
    return new SigningKey(call((g) => g.WasmSigningKey.fromPkcs8Der(b)))
  }

  /** From a `-----BEGIN PRIVATE KEY-----` PEM (v1 or v2). @throws InvalidKeyError `malformed_pem`, `malformed_der`. */
  static fromPkcs8Pem(pem: string): SigningKey {
    const t = text(pem, 'pem', 'malformed_pem')
    return new SigningKey(call((g) => g.WasmSigningKey.fromPkcs8Pem(t)))
  }

  /** From a private OKP JWK (`d` = seed), as JSON text or an object. @throws InvalidKeyError `malformed_jwk`, `key_mismatch`. */
  static fromJwk(jwk: string | object): SigningKey {
    const t = jsonText(jwk, 'jwk', 'malformed_jwk')
    return new SigningKey(call((g) => g.WasmSigningKey.fromJwk(t)))
  }

  /** The 32-byte seed (a fresh copy). */
  toBytes(): Uint8Array {
    return call(() => this.#inner.toBytes())
  }

  /** The 64-byte seed‖public key pair. */
  toKeypairBytes(): Uint8Array {
    return call(() => this.#inner.toKeypairBytes())
  }

  /** PKCS#8 DER; `{ v2: true }` for RFC 5958 OneAsymmetricKey with the public key. */
  toPkcs8Der(options?: { v2?: boolean }): Uint8Array {
    const v2 = options?.v2 === true
    return call(() => this.#inner.toPkcs8Der(v2))
  }

  /** PKCS#8 PEM; `{ v2: true }` for v2. */
  toPkcs8Pem(options?: { v2?: boolean }): string {
    const v2 = options?.v2 === true
    return call(() => this.#inner.toPkcs8Pem(v2))
  }

  /** The private JWK as JSON text (`{"crv":"Ed25519","d":…,"kty":"OKP","x":…}`). */
  toJwk(): string {
    return call(() => this.#inner.toJwk())
  }

  /** The public key. */
  verifyingKey(): VerifyingKey {
    return makeVk(call(() => this.#inner.verifyingKey()))
  }

  /** Signs `message`; returns the 64-byte signature. */
  sign(message: Uint8Array): Uint8Array {
    const m = bytes(message, 'message', 'malformed_signature')
    return call(() => this.#inner.sign(m))
  }

  /** Frees the key's WebAssembly memory now (it is also freed when garbage-collected). */
  [Symbol.dispose](): void {
    this.#inner.free()
  }

  /** Shows only the public DID. */
  toString(): string {
    return `SigningKey(${this.verifyingKey().toDidKey()})`
  }
}

/**
 * An Ed25519 public key, checked at import: canonical encoding, not of small order.
 *
 * @example
 * ```ts
 * const vk = VerifyingKey.fromDidKey('did:key:z6Mk…')
 * vk.verify(message, signature) // throws InvalidSignatureError on failure
 * ```
 */
export class VerifyingKey {
  readonly #inner: WasmVerifyingKey
  static {
    vkInner = (k) => k.#inner
    makeVk = (w) => new VerifyingKey(w)
  }
  private constructor(inner: WasmVerifyingKey) {
    this.#inner = glueObject(inner, 'VerifyingKey', 'VerifyingKey.fromBytes, fromDidKey, fromJwk or signingKey.verifyingKey()')
  }

  /** From 32 raw bytes. @throws InvalidKeyError `invalid_key_length`, `invalid_key`, `weak_key`. */
  static fromBytes(publicKey: Uint8Array): VerifyingKey {
    const b = bytes(publicKey, 'publicKey', 'invalid_key_length')
    return new VerifyingKey(call((g) => g.WasmVerifyingKey.fromBytes(b)))
  }

  /** From SubjectPublicKeyInfo DER. @throws InvalidKeyError `malformed_der` and key errors. */
  static fromSpkiDer(der: Uint8Array): VerifyingKey {
    const b = bytes(der, 'der', 'malformed_der')
    return new VerifyingKey(call((g) => g.WasmVerifyingKey.fromSpkiDer(b)))
  }

  /** From a `-----BEGIN PUBLIC KEY-----` PEM. @throws InvalidKeyError `malformed_pem` and key errors. */
  static fromSpkiPem(pem: string): VerifyingKey {
    const t = text(pem, 'pem', 'malformed_pem')
    return new VerifyingKey(call((g) => g.WasmVerifyingKey.fromSpkiPem(t)))
  }

  /** From multibase `z6Mk…`. @throws `invalid_base58`, `unsupported_key_type` and key errors. */
  static fromMultibase(multibase: string): VerifyingKey {
    const t = text(multibase, 'multibase', 'invalid_base58')
    return new VerifyingKey(call((g) => g.WasmVerifyingKey.fromMultibase(t)))
  }

  /** From a did:key. @throws `malformed_did`, `unsupported_did_method`, `unsupported_key_type` and key errors. */
  static fromDidKey(did: string): VerifyingKey {
    const t = text(did, 'did', 'malformed_did')
    return new VerifyingKey(call((g) => g.WasmVerifyingKey.fromDidKey(t)))
  }

  /** From a public OKP JWK (JSON text or object). @throws InvalidKeyError `malformed_jwk` and key errors. */
  static fromJwk(jwk: string | object): VerifyingKey {
    const t = jsonText(jwk, 'jwk', 'malformed_jwk')
    return new VerifyingKey(call((g) => g.WasmVerifyingKey.fromJwk(t)))
  }

  /** From an MCP Registry proof record `v=MCPv1; k=ed25519; p=<base64>`. @throws `malformed_record` and key errors. */
  static fromRegistryRecord(record: string): VerifyingKey {
    const t = text(record, 'record', 'malformed_record')
    return new VerifyingKey(call((g) => g.registryRecordKey(t)))
  }

  /** The 32 raw bytes. */
  toBytes(): Uint8Array {
    return call(() => this.#inner.toBytes())
  }
  /** SubjectPublicKeyInfo DER (44 bytes). */
  toSpkiDer(): Uint8Array {
    return call(() => this.#inner.toSpkiDer())
  }
  /** SubjectPublicKeyInfo PEM. */
  toSpkiPem(): string {
    return call(() => this.#inner.toSpkiPem())
  }
  /** Multibase base58btc with the ed25519-pub multicodec: `z6Mk…`. */
  toMultibase(): string {
    return call(() => this.#inner.toMultibase())
  }
  /** `did:key:z6Mk…`. */
  toDidKey(): string {
    return call(() => this.#inner.toDidKey())
  }
  /** The verification method DID URL `did:key:z6Mk…#z6Mk…`. */
  toDidKeyUrl(): string {
    return call(() => this.#inner.toDidKeyUrl())
  }
  /** The public JWK as JSON text: RFC 7638 canonical form, or with `kid` when given. */
  toJwk(options?: { kid?: string }): string {
    const kid = optText(options?.kid, 'kid', 'malformed_jwk')
    return call(() => this.#inner.toJwk(kid))
  }
  /** The RFC 7638 JWK thumbprint (base64url SHA-256). */
  jwkThumbprint(): string {
    return call(() => this.#inner.jwkThumbprint())
  }
  /** The ext-auth key id: base64url(SHA-256(key)[:16]). */
  kid(): string {
    return call(() => this.#inner.kid())
  }
  /** The fingerprint used in DNS records (`fp=`). */
  fingerprint(): string {
    return call(() => this.#inner.fingerprint())
  }
  /** The birationally equivalent X25519 public key (32 bytes). */
  toX25519(): Uint8Array {
    return call(() => this.#inner.toX25519())
  }
  /** The X25519 key-agreement key as multibase `z6LS…`. */
  x25519Multibase(): string {
    return call(() => this.#inner.x25519Multibase())
  }
  /** The did:key DID document as JSON text (JCS form); Multikey by default. */
  didDocument(options?: { format?: DidDocumentFormat }): string {
    const f = options?.format ?? 'Multikey'
    if (!Object.prototype.hasOwnProperty.call(FORMAT, f)) throw errorFor('malformed_did', `unknown DID document format ${String(f)}`)
    return call(() => this.#inner.didDocument(FORMAT[f]))
  }
  /** The ext-auth DNS TXT record `v=mcp1; kid=…; fp=…`. */
  dnsRecord(options?: { kid?: string }): string {
    const kid = optText(options?.kid, 'kid', 'malformed_record')
    return call(() => this.#inner.dnsRecord(kid))
  }
  /** The MCP Registry proof record `v=MCPv1; k=ed25519; p=…`. */
  registryRecord(): string {
    return call(() => this.#inner.registryRecord())
  }
  /** The served JWK of identity/get: the public JWK with `kid` and `use: "sig"`, as JSON text. */
  servedJwk(kid: string): string {
    const k = text(kid, 'kid', 'malformed_jwk')
    return call(() => this.#inner.servedJwk(k))
  }
  /**
   * Verifies `signature` over `message` (strict: `verify_strict` semantics).
   * @throws InvalidSignatureError `invalid_signature` on any failure (wrong length included).
   */
  verify(message: Uint8Array, signature: Uint8Array): void {
    const m = bytes(message, 'message', 'invalid_signature')
    const s = bytes(signature, 'signature', 'invalid_signature')
    call(() => this.#inner.verify(m, s))
  }
  /** Whether `other` is the same key. */
  equals(other: VerifyingKey): boolean {
    return other instanceof VerifyingKey && call(() => this.#inner.equals(vkInner(other)))
  }
  /** Frees the key's WebAssembly memory now. */
  [Symbol.dispose](): void {
    this.#inner.free()
  }
  /** `VerifyingKey(did:key:…)`. */
  toString(): string {
    return `VerifyingKey(${this.toDidKey()})`
  }
}

/** A 64-byte signature from base64url. @throws `malformed_signature`, `invalid_base64`. */
export function signatureFromBase64url(text_: string): Uint8Array {
  const t = text(text_, 'signature', 'malformed_signature')
  return call((g) => g.signatureFromBase64url(t))
}

/** base64url of a 64-byte signature. @throws `malformed_signature`. */
export function signatureToBase64url(signature: Uint8Array): string {
  const b = bytes(signature, 'signature', 'malformed_signature')
  return call((g) => g.signatureToBase64url(b))
}


/** The environment variable holding a server's private key (PKCS#8 PEM; `.env` forms accepted). */
export const PRIVATE_KEY_PEM_ENV = 'MCP_ATTEST_PRIVATE_KEY_PEM'
/** The environment variable naming the file that holds a server's private key (must exist). */
export const PRIVATE_KEY_PATH_ENV = 'MCP_ATTEST_PRIVATE_KEY_PATH'

/** A key file to read, as {@link keySourcePlan} named it. */
export interface KeyFileStep {
  /** The path, as configured. */
  readonly path: string
  /**
   * The decision on what was found there: `text` undefined for no file, `mode` its
   * `st_mode & 0o777`. `create: true` means write a new key there (mode 0600, never over an
   * existing file) and log {@link KeyFileStep.createdWarning}.
   * @throws McpAttestError `key_unavailable` (a file the environment named is missing), the key's parse error.
   */
  decide(text: string | undefined, mode: number | undefined): { key?: SigningKey; create: boolean; warnings: string[] }
  /** The warning to log after creating `key` at `path`: what to keep, and how. */
  createdWarning(key: VerifyingKey): string
}

/**
 * The core's key-source rules, without I/O: the low-level half of `loadOrCreateKey`
 * (`mcp-attest/fs`), for runtimes that read files their own way. `env` holds the values of
 * {@link PRIVATE_KEY_PEM_ENV} and {@link PRIVATE_KEY_PATH_ENV}; `path` is where the
 * application keeps its key. Returns the key from the environment, or the file to read next.
 *
 * @throws McpAttestError `key_unavailable` (a variable set but empty, or nothing configured),
 * the key's parse error (`malformed_pem`, …) for an invalid {@link PRIVATE_KEY_PEM_ENV}.
 */
export function keySourcePlan(env: { pem?: string; path?: string }, path?: string): { key?: SigningKey; file?: KeyFileStep; warnings: string[] } {
  const pem = optText(env.pem, 'env.pem', 'malformed_pem')
  const envPath = optText(env.path, 'env.path', 'key_unavailable')
  const p = optText(path, 'path', 'key_unavailable')
  const outcome = call((g) => g.keyPlan(pem, envPath, p))
  const warnings = outcome.warnings()
  const key = outcome.takeKey()
  if (key !== undefined) {
    outcome.free()
    return { key: makeSk(key), warnings }
  }
  const filePath = outcome.filePath() as string
  const file: KeyFileStep = {
    path: filePath,
    decide(text, mode) {
      const t = optText(text, 'text', 'malformed_pem')
      const m = typeof mode === 'number' && Number.isInteger(mode) && mode >= 0 && mode <= 0o7777 ? mode : undefined
      const d = call(() => outcome.decide(t, m))
      const k = d.takeKey()
      const w = d.warnings()
      d.free()
      return k === undefined ? { create: true, warnings: w } : { key: makeSk(k), create: false, warnings: w }
    },
    createdWarning(vk) {
      return call(() => outcome.createdWarning(vkInner(vk))) as string
    },
  }
  return { file, warnings }
}

/**
 * A warning for the directory a key file goes into from its `st_mode` (undefined: fine).
 * @throws McpAttestError `unsafe_directory` for a directory anyone can write to without the sticky bit.
 */
export function checkKeyDirectory(dir: string, mode: number): string | undefined {
  const d = text(dir, 'dir', 'key_unavailable')
  return call((g) => g.checkKeyDirectory(d, mode >>> 0))
}
