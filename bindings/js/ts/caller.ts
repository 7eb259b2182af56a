/**
 * Caller identity (spec §20): trust levels 0–4, the proof a client attaches to each
 * `tools/call`, and the server side that identifies callers and guards tools. Every rule is
 * the core's; Python's `mcp_attest.caller` is the same code.
 *
 * @example
 * ```ts
 * import { SigningKey, attachCallerProof, CallerVerifier } from 'mcp-attest'
 *
 * const client = SigningKey.generate()
 * const server = SigningKey.generate()
 * const serverDid = server.verifyingKey().toDidKey()
 * const sent = attachCallerProof(client, serverDid, 'tools/call', { name: 'echo', arguments: { text: 'hi' } })
 *
 * const verifier = new CallerVerifier(serverDid)
 * const caller = verifier.identify('tools/call', sent.params, { client: 'conn-1' })
 * // caller: { did: 'did:key:z6Mk…', level: 1, issuer: null }
 * ```
 *
 * @module
 */
import type { WasmCallerVerifier } from '#wasm/types'
import { errorFor, type ErrorCode } from './errors.js'
import { signingKeyArg, type Signer, type SigningKey } from './keys.js'
import { call } from './native.js'
import type { JsonObject } from './tools.js'
import type { ServerReport } from './session.js'
import type { CallEvidence } from './evidence.js'
import { storeInner, TrustStore } from './trust.js'
import { jsonText, opts, seconds, text } from './util.js'

/** The `_meta` member that carries the caller's proof and passport. */
export const CALLER_META_KEY = 'org.mcp-attest/caller'
/** The HTTP header that carries the proof over Streamable HTTP. */
export const CALLER_HTTP_HEADER = 'MCP-Attest-Caller'

/** A caller the server identified. */
export interface Caller {
  /** The caller's did:key. */
  did: string
  /** Trust level 1–4 (spec §20.1). */
  level: number
  /** The issuer whose passport raised the level, if one did. */
  issuer: string | null
}

/** What {@link attachCallerProof} returns. */
export interface AttachedProof {
  /** The request params with `_meta["org.mcp-attest/caller"]` set. */
  params: JsonObject
  /** The proof alone, for the `MCP-Attest-Caller` header. */
  proof: string
}

function random16(): Uint8Array {
  const c = (globalThis as { crypto?: { getRandomValues?: (a: Uint8Array) => Uint8Array } }).crypto
  if (c?.getRandomValues === undefined) throw errorFor('invalid_claim', 'no crypto.getRandomValues in this runtime')
  return c.getRandomValues(new Uint8Array(16))
}

/**
 * Signs a caller proof for one request to the server whose DID is `serverDid` and attaches
 * it (with `passport`, if given) to the params' `_meta`. Other `_meta` members are kept.
 *
 * @throws `caller_proof_mismatch` when `tools/call` params lack a string `name`; JSON codes.
 */
export function attachCallerProof(
  key: SigningKey | Signer,
  serverDid: string,
  method: string,
  params: unknown,
  options?: { passport?: string; currentDate?: Date; nonce?: Uint8Array },
): AttachedProof {
  const o = opts(options, 'invalid_claim')
  const k = signingKeyArg(key)
  const aud = text(serverDid, 'serverDid', 'invalid_claim')
  const m = text(method, 'method', 'invalid_claim')
  const p = jsonText(params ?? {}, 'params')
  const now = seconds(o.currentDate)
  const nonce = o.nonce ?? random16()
  const out = call((g) => g.callerAttach(k, o.passport, aud, m, p, now, nonce))
  const parsed = JSON.parse(out) as { params: string; proof: string }
  return { params: JSON.parse(parsed.params) as JsonObject, proof: parsed.proof }
}

/**
 * What a client adapter runs on every outgoing `tools/call` (spec §20.4): refuses locally —
 * throws `insufficient_trust_level`, nothing is sent — when `report` says the tool requires
 * a level this caller cannot show (no key: 0; a key: 1; a passport from another issuer: its
 * `level` claim, default 3 — the server's trust store has the last word); with a `key`,
 * returns the params with the proof (and passport) in `_meta` and the proof for the
 * `MCP-Attest-Caller` header; without one, the params unchanged and `proof: null`.
 *
 * @throws `insufficient_trust_level`; with a key, the report's code when it established no
 * server; `caller_proof_mismatch` for params without a string `name`.
 */
export function prepareCall(
  params: unknown,
  options: { report: ServerReport; key?: SigningKey | Signer; passport?: string; currentDate?: Date; nonce?: Uint8Array },
): { params: JsonObject; proof: string | null } {
  const o = opts(options, 'invalid_policy')
  const r = jsonText(o.report, 'report', 'invalid_policy')
  const p = jsonText(params ?? {}, 'params', 'caller_proof_mismatch')
  if (o.key === undefined) {
    call((g) => g.prepareAnonymousCall(r, p))
    return { params: JSON.parse(p) as JsonObject, proof: null }
  }
  const k = signingKeyArg(o.key)
  const passport = o.passport === undefined ? undefined : text(o.passport, 'passport', 'malformed_token')
  const now = seconds(o.currentDate)
  const out = JSON.parse(call((g) => g.prepareCall(k, passport, r, p, now, o.nonce ?? random16()))) as { params: string; proof: string }
  return { params: JSON.parse(out.params) as JsonObject, proof: out.proof }
}

/**
 * The record a client keeps of a call it made (spec §19.6), to pass to its own
 * {@link EvidenceLog} (`appendCall`) or file log (`record`), signed by the client's key:
 * `caller` is the server called and `level` its level in `report`. Refused locally or by the
 * server's gate: a `deny` with that code; otherwise an `allow` with the result hashed or the
 * error's code.
 */
export function clientCallEvidence(
  report: ServerReport,
  params: unknown,
  outcome: { result: unknown } | { error: { code: number; message?: string; data?: unknown } } | { refused: ErrorCode | string },
): CallEvidence {
  const r = jsonText(report, 'report', 'malformed_evidence')
  const p = jsonText(params ?? {}, 'params', 'caller_proof_mismatch')
  const o = opts(outcome, 'malformed_evidence') as { result?: unknown; error?: unknown; refused?: unknown }
  const result = 'result' in o ? jsonText(o.result, 'result', 'malformed_evidence') : undefined
  const error = 'error' in o ? jsonText(o.error, 'error', 'malformed_evidence') : undefined
  const refused = 'refused' in o ? text(o.refused, 'refused', 'malformed_evidence') : undefined
  return JSON.parse(call((g) => g.clientCallEvidence(r, p, result, error, refused))) as CallEvidence
}

/** `sha256-…` of what a proof binds: method, tool name and arguments (not `_meta`). */
export function callerRequestHash(method: string, params: unknown): string {
  const m = text(method, 'method', 'invalid_claim')
  const p = jsonText(params ?? {}, 'params')
  return call((g) => g.callerRequestHash(m, p))
}

/** The trust level (0–4) of what a peer has shown (spec §20.1). */
export function trustLevel(basis: { keyProven: boolean; domainProven?: boolean; vouched?: number | null }): number {
  const b = opts(basis, 'invalid_policy')
  return call((g) => g.trustLevel(b.keyProven === true, b.domainProven === true, b.vouched ?? undefined))
}

/** Throws `insufficient_trust_level` when `level` is below `required`. */
export function guardLevel(required: number, level: number): void {
  call((g) => g.callerGuard(required, level))
}

/**
 * The JSON-RPC error object refusing a call: `code` -31001 (level) or -31002 (proof or
 * passport), `data: {code, reason, required?, level?}`. Decide on `data.reason`.
 */
export function callerRefusal(error: { code: ErrorCode; message: string }, options?: { required?: number; level?: number }): JsonObject {
  const o = opts(options, 'invalid_policy')
  return JSON.parse(call((g) => g.callerRefusal(error.code, error.message, o.required, o.level))) as JsonObject
}

/** Options of {@link CallerVerifier}. */
export interface CallerVerifierOptions {
  /** Issuers (with their `maxLevel`) and revocation lists. */
  trustStore?: TrustStore
  /** Replay-cache capacity (default: the core's, 100,000 proofs). */
  capacity?: number
  /** Live proofs one connection may hold (default: the core's, 10,000). */
  clientQuota?: number
}

/** The server side: identifies the caller of each request from its proof. One per server. */
export class CallerVerifier {
  readonly #inner: WasmCallerVerifier
  constructor(serverDid: string, options?: CallerVerifierOptions) {
    const o = opts(options, 'invalid_policy')
    const aud = text(serverDid, 'serverDid', 'invalid_policy')
    if (o.trustStore !== undefined && !(o.trustStore instanceof TrustStore)) {
      throw errorFor('invalid_policy', 'trustStore must be a TrustStore')
    }
    const store = o.trustStore === undefined ? undefined : call(() => storeInner(o.trustStore as TrustStore).copy())
    this.#inner = call((g) => new g.WasmCallerVerifier(aud, o.capacity, o.clientQuota, store))
  }
  /**
   * `null` for a request without a proof (anonymous, level 0); the caller when its proof
   * holds; throws when a proof is present but fails (`caller_proof_mismatch`,
   * `replayed_nonce`, `stale_timestamp`, `audience_mismatch`, …) — never a silent downgrade.
   */
  identify(method: string, params: unknown, options?: { header?: string; client?: string; currentDate?: Date }): Caller | null {
    const o = opts(options, 'invalid_policy')
    const m = text(method, 'method', 'invalid_policy')
    const p = jsonText(params ?? {}, 'params')
    const now = seconds(o.currentDate)
    const out = call(() => this.#inner.identify(m, p, o.header, o.client ?? '', now))
    return out === undefined || out === null ? null : (JSON.parse(out) as Caller)
  }
  [Symbol.dispose](): void {
    this.#inner.free()
  }
}
