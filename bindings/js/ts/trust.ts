/**
 * The client's trust store: pinned server keys (trust on first use), trusted issuers and
 * revocation lists, serialisable to JSON.
 *
 * @module
 */
import type { WasmTrustStore } from '#wasm/types'
import { errorFor } from './errors.js'
import { verifyingKeyArg, type VerifyingKey } from './keys.js'
import { call } from './native.js'
import { PassportVerifier, TrustedIssuer, verifierFromNative } from './tokens.js'
import { date, glueObject, jsonText, seconds, text } from './util.js'

/**
 * Pins, trusted issuers and revocation lists.
 *
 * @example
 * ```ts
 * const store = TrustStore.fromJson(saved)
 * store.checkPin('https://weather.example/mcp', serverKey) // 'first_use' | 'match', throws pinned_key_changed
 * save(store.toJson())
 * ```
 */
/** @internal The glue object of a TrustStore (for the session engine). */
export let storeInner: (s: TrustStore) => WasmTrustStore

export class TrustStore {
  readonly #inner: WasmTrustStore
  static {
    storeInner = (s) => s.#inner
  }
  private constructor(inner: WasmTrustStore) {
    this.#inner = glueObject(inner, 'TrustStore', 'TrustStore.create() or TrustStore.fromJson(text)')
  }
  /** An empty store. */
  static create(): TrustStore {
    return new TrustStore(call((g) => new g.WasmTrustStore()))
  }
  /** From {@link TrustStore.toJson} output. @throws MalformedInputError `malformed_trust_store`, JSON errors. */
  static fromJson(json: string): TrustStore {
    const t = text(json, 'json', 'malformed_trust_store')
    return new TrustStore(call((g) => g.WasmTrustStore.fromJson(t)))
  }
  /** The store as JSON text. */
  toJson(): string {
    return call(() => this.#inner.toJson())
  }
  /**
   * Checks `key` against the pin for `server`; pins unknown servers (TOFU).
   * @throws TrustError `pinned_key_changed`.
   */
  checkPin(server: string, key: VerifyingKey, options?: { currentDate?: Date }): 'first_use' | 'match' {
    const s = text(server, 'server', 'malformed_trust_store')
    const k = verifyingKeyArg(key)
    const now = seconds(options?.currentDate)
    return call(() => this.#inner.checkPin(s, k, now)) as 'first_use' | 'match'
  }
  /** Pins `key` for `server`, replacing any pin (an explicit, approved rotation). */
  pin(server: string, key: VerifyingKey, options?: { currentDate?: Date }): void {
    const s = text(server, 'server', 'malformed_trust_store')
    const k = verifyingKeyArg(key)
    const now = seconds(options?.currentDate)
    call(() => this.#inner.pin(s, k, now))
  }
  /**
   * Accepts `tool` (a tool definition as listed) as the version `server` may serve: how a
   * host re-approves a tool the report called `changed`, after showing its user the
   * `changedFields`. @throws `malformed_tool_definition`, JSON errors.
   */
  acceptTool(server: string, tool: unknown): void {
    const s = text(server, 'server', 'malformed_trust_store')
    const t = jsonText(tool, 'tool', 'malformed_tool_definition')
    call(() => this.#inner.acceptTool(s, t))
  }
  /** Forgets the accepted version of `name` from `server`; whether there was one. */
  forgetTool(server: string, name: string): boolean {
    const s = text(server, 'server', 'malformed_trust_store')
    const n = text(name, 'name', 'malformed_tool_definition')
    return call(() => this.#inner.forgetTool(s, n))
  }
  /** The names of the tools accepted from `server`. */
  acceptedToolNames(server: string): string[] {
    const s = text(server, 'server', 'malformed_trust_store')
    return call(() => this.#inner.acceptedToolNames(s))
  }
  /** Removes the pin for `server` (and the tools accepted from it); returns whether there was one. */
  unpin(server: string): boolean {
    const s = text(server, 'server', 'malformed_trust_store')
    return call(() => this.#inner.unpin(s))
  }
  /** The pin for `server`, if any. */
  pinned(server: string): { did: string; firstSeen: Date; lastSeen: Date } | null {
    const s = text(server, 'server', 'malformed_trust_store')
    const p = JSON.parse(call(() => this.#inner.pinned(s)))
    return p === null ? null : { did: p.did, firstSeen: date(p.firstSeen) as Date, lastSeen: date(p.lastSeen) as Date }
  }
  /** Trusts `issuer` (replacing one with the same id). */
  addIssuer(issuer: TrustedIssuer): void {
    if (!(issuer instanceof TrustedIssuer)) throw errorFor('untrusted_issuer', 'issuer must be a TrustedIssuer')
    const j = issuer.toJson()
    call((g) => {
      const w = g.WasmTrustedIssuer.fromJson(j)
      try {
        this.#inner.addIssuer(w)
      } finally {
        w.free()
      }
    })
  }
  /** The trusted issuers' ids. */
  issuerIds(): string[] {
    return call(() => this.#inner.issuerIds())
  }
  /**
   * Verifies a revocation list under the trusted issuers and adds it; returns false when an
   * older list than the one held was ignored.
   * @throws TokenError, `untrusted_issuer`, `invalid_signature`.
   */
  addRevocationList(token: string, options?: { currentDate?: Date }): boolean {
    const t = text(token, 'token', 'malformed_token')
    const now = seconds(options?.currentDate)
    return call(() => this.#inner.addRevocationList(t, now))
  }
  /** @throws TrustError `revoked` when a held list names `key`. */
  checkRevoked(key: VerifyingKey): void {
    const k = verifyingKeyArg(key)
    call(() => this.#inner.checkRevoked(k))
  }
  /** A {@link PassportVerifier} with this store's issuers and revocation lists (a snapshot). */
  passportVerifier(): PassportVerifier {
    return verifierFromNative(call(() => this.#inner.verifier()))
  }
}
