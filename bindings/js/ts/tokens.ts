/**
 * Compact JWS (EdDSA only), passports, trusted issuers and revocation lists.
 *
 * @module
 */
import type { WasmRevocationList, WasmTrustedIssuer, WasmVerifier } from '#wasm/types'
import { errorFor } from './errors.js'
import { signingKeyArg, verifyingKeyArg, type Signer, type SigningKey, type VerifyingKey } from './keys.js'
import { call } from './native.js'
import { date, glueObject, jsonText, optBool, optDuration, optSeconds, optText, opts, seconds, text } from './util.js'
import type { JsonObject } from './tools.js'

/** A JWS header and claims. */
export interface DecodedJws {
  /** The protected header. */
  header: JsonObject
  /** The payload claims. */
  claims: JsonObject
}

/** Signs `claims` as a compact JWS with `alg: EdDSA`. @throws `invalid_claim` (not an object), JSON errors. */
export function signJws(key: SigningKey | Signer, claims: JsonObject | string, options?: { typ?: string; kid?: string }): string {
  const k = signingKeyArg(key)
  const o = opts(options, 'malformed_token')
  const c = jsonText(claims, 'claims', 'invalid_claim')
  const typ = optText(o.typ, 'typ', 'malformed_token')
  const kid = optText(o.kid, 'kid', 'malformed_token')
  return call((g) => g.jwsSign(k, c, typ, kid))
}

/** Parses a compact JWS WITHOUT verifying it (for routing on `iss`/`kid` before choosing a key). @throws the JWS parse errors. */
export function decodeJwsUnverified(token: string): DecodedJws {
  const t = text(token, 'token', 'malformed_token')
  return JSON.parse(call((g) => g.jwsDecode(t))) as DecodedJws
}

/** Options for {@link verifyJws}. */
export interface VerifyJwsOptions {
  /** The verifier's clock (default: now). */
  currentDate?: Date
  /** Allowed clock skew in seconds (default 60). */
  clockTolerance?: number
  /** The audience this verifier is; without it, tokens carrying `aud` are refused (RFC 7519 §4.1.3). */
  audience?: string
  /** Require `exp` (default true). */
  requireExp?: boolean
  /** Largest accepted `exp − iat`, in seconds. */
  maxLifetime?: number
  /** The required `typ` header. */
  typ?: string
}

/**
 * Verifies a compact JWS under `key` and checks its registered claims.
 * @throws TokenError and its subclasses, `invalid_signature`.
 */
export function verifyJws(token: string, key: VerifyingKey, options?: VerifyJwsOptions): DecodedJws {
  const t = text(token, 'token', 'malformed_token')
  const k = verifyingKeyArg(key)
  const o = opts(options, 'malformed_token')
  const now = seconds(o.currentDate)
  const leeway = optDuration(o.clockTolerance, 'clockTolerance')
  const aud = optText(o.audience, 'audience', 'invalid_claim')
  const requireExp = optBool(o.requireExp, 'requireExp', 'invalid_claim') ?? true
  const maxLifetime = optDuration(o.maxLifetime, 'maxLifetime')
  const typ = optText(o.typ, 'typ', 'malformed_token')
  return JSON.parse(call((g) => g.jwsVerify(t, k, now, leeway, aud, requireExp, maxLifetime, typ))) as DecodedJws
}

let issuerInner: (i: TrustedIssuer) => WasmTrustedIssuer
let listInner: (l: RevocationList) => WasmRevocationList
let makeList: (w: WasmRevocationList) => RevocationList

/**
 * A publisher or registry whose passports and revocation lists are trusted: an id (the `iss`
 * it signs with) and its keys.
 *
 * @example
 * ```ts
 * const registry = TrustedIssuer.fromJwks('https://registry.example', jwksText)
 * ```
 */
export class TrustedIssuer {
  readonly #inner: WasmTrustedIssuer
  static {
    issuerInner = (i) => i.#inner
  }
  private constructor(inner: WasmTrustedIssuer) {
    this.#inner = glueObject(inner, 'TrustedIssuer', 'TrustedIssuer.fromKey(id, key), fromDidKey or fromJwks')
  }
  /** An issuer `id` with one key. */
  static fromKey(id: string, key: VerifyingKey): TrustedIssuer {
    const i = text(id, 'id', 'invalid_claim')
    const k = verifyingKeyArg(key)
    return new TrustedIssuer(call((g) => new g.WasmTrustedIssuer(i, k)))
  }
  /** An issuer identified by its did:key. @throws did:key errors. */
  static fromDidKey(did: string): TrustedIssuer {
    const d = text(did, 'did', 'malformed_did')
    return new TrustedIssuer(call((g) => g.WasmTrustedIssuer.fromDidKey(d)))
  }
  /** An issuer from a JWKS (`{"keys":[…]}`; non-Ed25519 keys are skipped). @throws `malformed_jwk`, JSON errors, key errors. */
  static fromJwks(id: string, jwks: string | object): TrustedIssuer {
    const i = text(id, 'id', 'invalid_claim')
    const j = jsonText(jwks, 'jwks', 'malformed_jwk')
    return new TrustedIssuer(call((g) => g.WasmTrustedIssuer.fromJwks(i, j)))
  }
  /** From {@link TrustedIssuer.toJson} output. @throws `malformed_trust_store`. */
  static fromJson(json: string): TrustedIssuer {
    const j = text(json, 'json', 'malformed_trust_store')
    return new TrustedIssuer(call((g) => g.WasmTrustedIssuer.fromJson(j)))
  }
  /** Adds a key (with its `kid`). */
  addKey(key: VerifyingKey, options?: { kid?: string }): void {
    const k = verifyingKeyArg(key)
    const kid = optText(options?.kid, 'kid', 'malformed_jwk')
    call(() => this.#inner.addKey(kid, k))
  }
  /** The issuer id. */
  get id(): string {
    return call(() => this.#inner.id())
  }
  /** The highest trust level (0–4, spec §20.1) this issuer's passports can grant (default 3). */
  get maxLevel(): number {
    return call(() => this.#inner.maxLevel())
  }
  /** A copy that may grant at most `level` (0–4; above 4 is taken as 4). */
  withMaxLevel(level: number): TrustedIssuer {
    if (!Number.isInteger(level) || level < 0 || level > 255) throw errorFor('invalid_policy', 'level must be an integer 0–4')
    return new TrustedIssuer(call(() => this.#inner.withMaxLevel(level)))
  }
  /** The issuer as JSON text (for persistence). */
  toJson(): string {
    return call(() => this.#inner.toJson())
  }
}

/** One revocation list entry. */
export interface RevocationEntry {
  /** `key` (value: the key's JWK thumbprint), `did` or `jti`. */
  type: 'key' | 'did' | 'jti'
  /** The revoked thumbprint, DID or token id. */
  value: string
  /** Why. */
  reason: string | null
  /** When. */
  revokedAt: Date | null
}

/** A verified revocation list (see {@link PassportVerifier.verifyRevocationList}). */
export class RevocationList {
  readonly #inner: WasmRevocationList
  static {
    listInner = (l) => l.#inner
    makeList = (w) => new RevocationList(w)
  }
  private constructor(inner: WasmRevocationList) {
    this.#inner = glueObject(inner, 'RevocationList', 'Verifier.verifyRevocationList(token)')
  }
  #info(): { issuer: string; issuedAt: number; expiresAt: number | null; entries: { type: 'key' | 'did' | 'jti'; value: string; reason: string | null; revokedAt: number | null }[] } {
    return JSON.parse(call(() => this.#inner.toJson()))
  }
  /** The issuer id. */
  get issuer(): string {
    return this.#info().issuer
  }
  /** `iat`. */
  get issuedAt(): Date {
    return new Date(this.#info().issuedAt * 1000)
  }
  /** `exp`, if any. */
  get expiresAt(): Date | null {
    return date(this.#info().expiresAt)
  }
  /** The entries. */
  entries(): RevocationEntry[] {
    return this.#info().entries.map((e) => ({ ...e, revokedAt: date(e.revokedAt) }))
  }
  /** @throws TrustError `revoked` when the list names `key`. */
  checkKey(key: VerifyingKey): void {
    const k = verifyingKeyArg(key)
    call(() => this.#inner.checkKey(k))
  }
  /** @throws TrustError `revoked` when the list names `did`. */
  checkDid(did: string): void {
    const d = text(did, 'did', 'malformed_did')
    call(() => this.#inner.checkDid(d))
  }
  /** @throws TrustError `revoked` when the list names token id `jti`. */
  checkJti(jti: string): void {
    const j = text(jti, 'jti', 'invalid_claim')
    call(() => this.#inner.checkJti(j))
  }
}

/** An entry to revoke: a key, a DID or a token id. */
export type RevokeEntry =
  | { key: VerifyingKey; reason?: string; revokedAt?: Date }
  | { did: string; reason?: string; revokedAt?: Date }
  | { jti: string; reason?: string; revokedAt?: Date }

/** Signs a revocation list (`typ: mcp-revocation+jwt`) as issuer `issuerId`. */
export function issueRevocationList(
  key: SigningKey | Signer,
  issuerId: string,
  entries: RevokeEntry[],
  options?: { currentDate?: Date; expiresIn?: number },
): string {
  const k = signingKeyArg(key)
  const id = text(issuerId, 'issuerId', 'invalid_claim')
  if (!Array.isArray(entries)) throw errorFor('malformed_token', 'entries must be an array')
  const o = opts(options, 'malformed_token')
  const now = seconds(o.currentDate)
  const ttl = optDuration(o.expiresIn, 'expiresIn')
  return call((g) => {
    const b = new g.WasmRevocationBuilder()
    try {
      for (const e of entries) {
        if (e === null || typeof e !== 'object') throw errorFor('malformed_token', 'a revocation entry must be an object')
        const reason = optText(e.reason, 'reason', 'malformed_token')
        const at = optSeconds(e.revokedAt, 'revokedAt')
        if ('key' in e) b.add('key', verifyingKeyArg(e.key).jwkThumbprint(), reason, at)
        else if ('did' in e) b.add('did', text(e.did, 'did', 'malformed_did'), reason, at)
        else if ('jti' in e) b.add('jti', text(e.jti, 'jti', 'malformed_token'), reason, at)
        else throw errorFor('malformed_token', 'a revocation entry names a key, did or jti')
      }
      return b.issue(k, id, now, ttl)
    } finally {
      b.free()
    }
  })
}

/** The `mcp` claim of a passport. */
export interface McpInfo {
  /** Server name. */
  name: string
  /** Server version. */
  version?: string | null
  /** Endpoints (URLs). */
  endpoints?: string[]
  /** The tools list hash (see `toolsHash`). */
  toolsHash?: string | null
}

/** Options for issuing a passport. */
export interface IssuePassportOptions {
  /** Issue time (default: now). */
  currentDate?: Date
  /** Lifetime in seconds (default 86400). */
  expiresIn?: number
  /** `aud`. */
  audience?: string
  /** `jti`. */
  jti?: string
  /** `nbf`. */
  notBefore?: Date
}

function mcpArgs(mcp: McpInfo): [string, string | undefined, string[], string | undefined] {
  if (mcp === null || typeof mcp !== 'object') throw errorFor('invalid_claim', 'mcp must be an object')
  const name = text(mcp.name, 'mcp.name', 'invalid_claim')
  const version = optText(mcp.version, 'mcp.version', 'invalid_claim')
  const endpoints = mcp.endpoints ?? []
  if (!Array.isArray(endpoints)) throw errorFor('invalid_claim', 'mcp.endpoints must be an array of strings')
  const eps = endpoints.map((e) => text(e, 'mcp.endpoints[]', 'invalid_claim'))
  const toolsHash_ = optText(mcp.toolsHash, 'mcp.toolsHash', 'invalid_claim')
  return [name, version, eps, toolsHash_]
}

function issueArgs(options: IssuePassportOptions | undefined): [number, number | undefined, string | undefined, string | undefined, number | undefined] {
  const o = opts(options, 'invalid_claim')
  return [
    seconds(o.currentDate),
    optDuration(o.expiresIn, 'expiresIn'),
    optText(o.audience, 'audience', 'invalid_claim'),
    optText(o.jti, 'jti', 'invalid_claim'),
    optSeconds(o.notBefore, 'notBefore'),
  ]
}

/**
 * Issues a self-issued passport: `iss = sub =` the server's did:key.
 *
 * @example
 * ```ts
 * const token = issueSelfPassport(sk, { name: 'weather', version: '1.0.0' }, { expiresIn: 3600 })
 * ```
 */
export function issueSelfPassport(server: SigningKey | Signer, mcp: McpInfo, options?: IssuePassportOptions): string {
  const k = signingKeyArg(server, 'server')
  const [name, version, eps, th] = mcpArgs(mcp)
  const [now, ttl, aud, jti, nbf] = issueArgs(options)
  return call((g) => g.issueSelfPassport(k, name, version, eps, th, now, ttl, aud, jti, nbf))
}

/** Issues a passport for `server` signed by a publisher/registry as `issuerId` (binds the server key in `cnf.jwk`). */
export function issuePassport(
  issuerKey: SigningKey | Signer,
  issuerId: string,
  server: VerifyingKey,
  mcp: McpInfo,
  options?: IssuePassportOptions & { issuerKid?: string },
): string {
  const k = signingKeyArg(issuerKey, 'issuerKey')
  const id = text(issuerId, 'issuerId', 'invalid_claim')
  const s = verifyingKeyArg(server, 'server')
  const kid = optText(options?.issuerKid, 'issuerKid', 'malformed_token')
  const [name, version, eps, th] = mcpArgs(mcp)
  const [now, ttl, aud, jti, nbf] = issueArgs(options)
  return call((g) => g.issuePassport(k, id, kid, s, name, version, eps, th, now, ttl, aud, jti, nbf))
}

/** A verified passport. */
export interface Passport {
  /** `iss`. */
  issuer: string
  /** `sub`: the server's did:key. */
  subject: string
  /** The server's key. */
  subjectKey: string
  /** The key that signed the passport (as did:key). */
  issuerKey: string
  /** Whether iss = sub. */
  selfIssued: boolean
  /** `aud` values. */
  audience: string[]
  /** `iat`. */
  issuedAt: Date | null
  /** `nbf`. */
  notBefore: Date | null
  /** `exp`. */
  expiresAt: Date
  /** `jti`. */
  jti: string | null
  /** The `mcp` claim. */
  mcp: { name: string; version: string | null; endpoints: string[]; toolsHash: string | null } | null
}

/** Options for verifying a passport. */
export interface VerifyPassportOptions {
  /** The verifier's clock (default: now). */
  currentDate?: Date
  /** Allowed clock skew in seconds (default 60). */
  clockTolerance?: number
  /** The audience this verifier is (exact match required); without it, tokens with `aud` are refused. */
  audience?: string
  /**
   * Accept self-issued passports. Default: only when the verifier has no trusted issuers
   * (a verifier that names issuers wants a passport one of them vouched for).
   */
  allowSelfIssued?: boolean
  /** Largest accepted age `now − iat`, in seconds; a passport without `iat` is then refused. */
  maxAge?: number
  /**
   * Longest accepted validity in seconds, `exp` minus `iat` (else `nbf`, else now);
   * default 30 days (2,592,000). Longer tokens fail with `lifetime_too_long`.
   */
  maxLifetime?: number
  /** The server key the caller expects (a pin). */
  subject?: VerifyingKey
}

interface RawPassport extends Omit<Passport, 'issuedAt' | 'notBefore' | 'expiresAt'> {
  issuedAt: number | null
  notBefore: number | null
  expiresAt: number
}

function toPassport(json: string): Passport {
  const p = JSON.parse(json) as RawPassport
  return { ...p, issuedAt: date(p.issuedAt), notBefore: date(p.notBefore), expiresAt: new Date(p.expiresAt * 1000) }
}

/**
 * A reusable verifier holding trusted issuers and revocation lists.
 *
 * @example
 * ```ts
 * const verifier = new PassportVerifier({ issuers: [registry] })
 * verifier.addRevocationList(verifier.verifyRevocationList(listToken))
 * const passport = verifier.verify(token, { audience: 'https://client.example' })
 * ```
 */
export class PassportVerifier {
  readonly #inner: WasmVerifier
  constructor(options?: { issuers?: TrustedIssuer[]; revocationLists?: RevocationList[] }, inner?: never) {
    this.#inner = (inner as unknown as WasmVerifier | undefined) ?? call((g) => new g.WasmVerifier())
    const o = opts(options, 'malformed_token')
    for (const i of o.issuers ?? []) this.addIssuer(i)
    for (const l of o.revocationLists ?? []) this.addRevocationList(l)
  }
  /** Trusts `issuer`. */
  addIssuer(issuer: TrustedIssuer): void {
    if (!(issuer instanceof TrustedIssuer)) throw errorFor('untrusted_issuer', 'issuer must be a TrustedIssuer')
    call(() => this.#inner.addIssuer(issuerInner(issuer)))
  }
  /** Consults `list` on every verification. */
  addRevocationList(list: RevocationList): void {
    if (!(list instanceof RevocationList)) throw errorFor('malformed_token', 'list must be a RevocationList')
    call(() => this.#inner.addRevocationList(listInner(list)))
  }
  /**
   * Verifies a revocation list under this verifier's issuers. With `currentDate`, `iat`/`exp`
   * are checked; without, only signature and shape.
   * @throws TokenError, `untrusted_issuer`, `invalid_signature`.
   */
  verifyRevocationList(token: string, options?: { currentDate?: Date }): RevocationList {
    const t = text(token, 'token', 'malformed_token')
    const now = optSeconds(opts(options, 'malformed_token').currentDate, 'currentDate')
    return makeList(call(() => this.#inner.verifyRevocationList(t, now)))
  }
  /**
   * Verifies a passport: structure, `typ`, the key (the DID for self-issued, a trusted
   * issuer's otherwise), the signature, claims, subject binding, revocation.
   * @throws TokenError (and subclasses), `invalid_signature`, `untrusted_issuer`, `revoked`, `key_mismatch`, `subject_mismatch`.
   */
  verify(token: string, options?: VerifyPassportOptions): Passport {
    const t = text(token, 'token', 'malformed_token')
    const o = opts(options, 'malformed_token')
    const now = seconds(o.currentDate)
    const leeway = optDuration(o.clockTolerance, 'clockTolerance')
    const aud = optText(o.audience, 'audience', 'invalid_claim')
    const self = optBool(o.allowSelfIssued, 'allowSelfIssued', 'invalid_claim')
    const maxAge = optDuration(o.maxAge, 'maxAge')
    const maxLifetime = optDuration(o.maxLifetime, 'maxLifetime')
    // The glue takes the subject key by value, so it gets a copy (the caller's key stays
    // usable) — a plain copy of the imported key, not a second import through its bytes.
    const subject = o.subject === undefined ? undefined : verifyingKeyArg(o.subject, 'subject').copy()
    return toPassport(call(() => this.#inner.verifyPassport(t, now, leeway, aud, self, maxAge, maxLifetime, subject)))
  }
}

/**
 * @internal A native verifier holding `lists`, for `verifyToolsList`'s `revocationLists`; the
 * caller frees it.
 */
export function verifierWithLists(lists: readonly unknown[]): WasmVerifier {
  const w = call((g) => new g.WasmVerifier())
  for (const l of lists) {
    if (!(l instanceof RevocationList)) {
      w.free()
      throw errorFor('malformed_tool_definition', 'revocationLists must hold RevocationList objects')
    }
    call(() => w.addRevocationList(listInner(l)))
  }
  return w
}

/** @internal */
export function verifierFromNative(w: WasmVerifier): PassportVerifier {
  return new PassportVerifier(undefined, w as never)
}

/**
 * Verifies a passport (one-shot form of {@link PassportVerifier}).
 *
 * @example
 * ```ts
 * const p = verifyPassport(token)               // self-issued, no audience
 * console.log(p.subject, p.mcp?.name)
 * ```
 */
export function verifyPassport(
  token: string,
  options?: VerifyPassportOptions & { issuers?: TrustedIssuer[]; revocationLists?: RevocationList[] },
): Passport {
  const o = opts(options, 'malformed_token')
  if (o.issuers === undefined && o.revocationLists === undefined) return defaultVerifier().verify(token, o)
  const v = new PassportVerifier({ issuers: o.issuers, revocationLists: o.revocationLists })
  return v.verify(token, o)
}

let shared: PassportVerifier | undefined
function defaultVerifier(): PassportVerifier {
  shared ??= new PassportVerifier()
  return shared
}
