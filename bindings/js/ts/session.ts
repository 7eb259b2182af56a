/**
 * One trust decision, made by the core: the client session that decides whether a server and
 * its tools may be used, and the server presentation that proves a server's identity. The MCP
 * adapters drive these; a host without an SDK can too.
 *
 * @module
 */
import type { WasmClientSession, WasmServerPresentation } from '#wasm/types'
import { errorFor, type ErrorCode } from './errors.js'
import { signingKeyArg, VerifyingKey, type Signer, type SigningKey } from './keys.js'
import { call } from './native.js'
import type { JsonObject } from './tools.js'
import { storeInner, TrustStore } from './trust.js'
import { bytes, jsonText, opts, seconds, text, utf8 } from './util.js'
import { evidenceLogInner, type EvidenceLog, type EvidenceWrite } from './evidence.js'

/**
 * What a client requires of a server. Every option has a default, decided by the core and
 * identical in Python (`server_id`, `expected_key`, … there). An unknown option is refused
 * (`invalid_policy`): a misspelt option must not fall back to a default silently.
 */
export interface ClientPolicy {
  /** The name the server is pinned under in the trust store (its URL or command line). Required with a trust store. */
  serverId?: string
  /** The server's did:key, from configuration. */
  expectedKey?: string | VerifyingKey
  /** This client's audience, checked on the passport and the manifest. */
  audience?: string
  /** The URL the client connected to: the passport's `mcp.endpoints` must list it. */
  endpoint?: string
  /** Accept self-issued passports (default: only when the store names no trusted issuer). */
  allowSelfIssued?: boolean
  /** Require a passport (default true). */
  requirePassport?: boolean
  /** Prove possession with `identity/challenge` (default true). */
  challenge?: boolean
  /** `'if_no_manifest'` (default): a verified manifest covers the tools; `'always'`: each tool's own signature too. */
  toolSignatures?: 'if_no_manifest' | 'always'
  /** Every page must carry a valid signed manifest (default true). */
  requireManifest?: boolean
  /** The most `tools/list` pages fetched (default 100). */
  maxPages?: number
  /** Clock skew allowed, seconds (default 60). */
  leeway?: number
  /** The longest passport lifetime accepted, seconds (default 30 days). */
  maxLifetime?: number
  /**
   * A domain whose DNS record (`_mcp-identity.<domain>` TXT) should name the server's key.
   * The session then asks for one `dns/txt` request that the caller resolves itself (never
   * sent to the server; see {@link ClientSession.nextRequest}): a match raises the server to
   * level 2, a record naming another key refuses it (`record_mismatch`).
   */
  domain?: string
}

/** One tool's verdict in a {@link ServerReport}. */
export interface ToolVerdict {
  name: string | null
  /** `verified`, or why not: `tampered`, `unsigned`, `wrong_key`, `not_in_manifest`, `missing_from_list`, `duplicate`, `malformed`, `revoked`, `manifest_unverified`, `changed`, `server_unverified`. */
  status: string
  code: ErrorCode | null
  message: string | null
  hash: string | null
  /** The trust level the server requires of this tool's callers (from its signed manifest; 0: none). */
  requiredLevel: number
  /** For `changed`: the fields that changed (`title`, `description`, `inputSchema`, `outputSchema`, `annotations`, or `other`). */
  changedFields: string[]
}

/** The core's server report: the same JSON in every language. */
export interface ServerReport {
  version: 1
  /** The server is who it says and every tool may be used. */
  verified: boolean
  /** Why not, as one contract code. */
  code: ErrorCode | null
  message: string | null
  server: { did: string; kid: string | null } | null
  passport: { issuer: string; selfIssued: boolean; expiresAt: number; jti: string | null } | null
  publishers: { name: string; did: string; bound: boolean; trusted: boolean }[]
  rotations: { revokedKid: string; replacementKid: string | null; verified: boolean }[]
  pin: 'first_use' | 'match' | 'rotated' | 'changed' | null
  challenge: 'verified' | 'failed' | 'skipped'
  revocation: 'not_revoked' | 'revoked' | 'unchecked'
  /** The domain's DNS record (policy `domain`): `verified`, `absent`, `mismatch`, `unchecked`; null without a domain. */
  dns: 'verified' | 'absent' | 'mismatch' | 'unchecked' | null
  /** The server's trust level, 0–4 (spec §20.1); 0 unless verified. */
  level: number
  /** Tools per `tools/list` page. */
  pages: number[]
  tools: ToolVerdict[]
  /** What changed since the tools last accepted from this server (null the first time). */
  changes: { added: string[]; removed: string[]; changed: { name: string; fields: string[] }[] } | null
}

/** A request the session wants sent. */
export interface SessionRequest {
  method: string
  params: JsonObject
}

function randomBytes(n: number): Uint8Array {
  const c = (globalThis as { crypto?: { getRandomValues?: (a: Uint8Array) => Uint8Array } }).crypto
  if (c?.getRandomValues === undefined) throw errorFor('invalid_policy', 'no crypto.getRandomValues in this runtime')
  return c.getRandomValues(new Uint8Array(n))
}

/** The policy as the JSON text the core reads (keys unchanged; a VerifyingKey becomes its did:key). */
function policyJson(policy: ClientPolicy | undefined): string {
  const p = { ...opts(policy, 'invalid_policy') } as Record<string, unknown>
  if (p.expectedKey instanceof VerifyingKey) p.expectedKey = p.expectedKey.toDidKey()
  for (const k of Object.keys(p)) if (p[k] === undefined) delete p[k]
  return jsonText(p, 'policy', 'invalid_policy')
}

/**
 * The client side of an identity check, as a state machine with no I/O: ask
 * {@link ClientSession.nextRequest} what to send, send it, hand back the raw result or the
 * JSON-RPC error, until it returns `null`; then read {@link ClientSession.report}.
 *
 * @example
 * ```ts
 * const s = new ClientSession({ serverId: 'https://weather.example/mcp' }, { trustStore: store })
 * for (let r = s.nextRequest(); r !== null; r = s.nextRequest()) {
 *   try { s.receiveResult(await send(r.method, r.params)) } catch (e) { s.receiveError(e.code, e.message, e.data) }
 * }
 * if (!s.report!.verified) console.log(s.report!.code)
 * s.saveTrustStore() // the pin and the accepted tools, into `store`
 * ```
 */
export class ClientSession {
  readonly #inner: WasmClientSession
  readonly #store: TrustStore | undefined
  /**
   * @throws MalformedInputError `invalid_policy` (an unknown option, a wrong type, a trust
   * store without `serverId`).
   */
  constructor(policy?: ClientPolicy, options?: { trustStore?: TrustStore; currentDate?: Date; random?: Uint8Array }) {
    const o = opts(options, 'invalid_policy')
    if (o.trustStore !== undefined && !(o.trustStore instanceof TrustStore)) throw errorFor('invalid_policy', 'trustStore must be a TrustStore')
    const text = policyJson(policy)
    const now = seconds(o.currentDate)
    // `random` (64 bytes) is for reproducible tests; by default the runtime's CSPRNG.
    const random = o.random === undefined ? randomBytes(64) : bytes(o.random, 'random', 'invalid_policy')
    this.#store = o.trustStore
    const store = o.trustStore
    this.#inner = call((g) => new g.WasmClientSession(text, store === undefined ? undefined : storeInner(store).copy(), now, random))
  }
  /** The next request to send, or null when the report is ready. */
  nextRequest(): SessionRequest | null {
    const r = call(() => this.#inner.nextRequest())
    if (r === undefined || r === null) return null
    const o = JSON.parse(r) as { method: string; params: string }
    return { method: o.method, params: JSON.parse(o.params) as JsonObject }
  }
  /** The raw result of the last request (the SDK's parsed object, or JSON text). */
  receiveResult(result: unknown): void {
    let t: string
    try {
      t = jsonText(result, 'result')
    } catch {
      // Not serialisable: the core sees a value that is not a result of the method.
      t = 'null'
    }
    const raw = utf8(t)
    call(() => this.#inner.receiveResult(raw))
  }
  /** The JSON-RPC error the last request was answered with. */
  receiveError(code: unknown, message: unknown, data?: unknown): void {
    const c = typeof code === 'number' ? code : 0
    const m = typeof message === 'string' ? message : String(message)
    let d: string | undefined
    try {
      d = data === undefined || data === null ? undefined : JSON.stringify(data)
    } catch {
      d = undefined
    }
    call(() => this.#inner.receiveError(c, m, d))
  }
  /** The report, once {@link ClientSession.nextRequest} returned null. */
  get report(): ServerReport | null {
    const r = this.reportJson
    return r === null ? null : (JSON.parse(r) as ServerReport)
  }
  /** The report as the core wrote it (JSON text, byte-identical in every language). */
  get reportJson(): string | null {
    return call(() => this.#inner.report()) ?? null
  }
  /** Writes the session's updated trust store (pin, accepted tools) back into the store it was given. */
  saveTrustStore(): void {
    const store = this.#store
    if (store === undefined) return
    call(() => {
      const updated = this.#inner.trustStore()
      if (updated !== undefined) {
        try {
          storeInner(store).replaceWith(updated)
        } finally {
          updated.free()
        }
      }
    })
  }
  /** Frees the session's wasm memory (its pages can be megabytes) now rather than at garbage collection. */
  [Symbol.dispose](): void {
    this.#inner.free()
  }
}

/** A JSON-RPC error object for a refused challenge (decide on `data.reason`). */
export interface ChallengeErrorObject {
  code: number
  message: string
  data: { reason: string; code: string }
}

/** What to answer `identity/challenge` with. */
export type ChallengeAnswer = { result: JsonObject } | { error: ChallengeErrorObject }

/** How a server presents its identity; the same options, snake_case, in Python. */
export interface ServerOptions {
  /** The server's name (adapters take it from the SDK's server info). */
  name?: string
  version?: string
  /** The URLs the server is reached at (the passport's `mcp.endpoints`). */
  endpoints?: string[]
  /** The client audience: the manifest's and the self-issued passport's `aud`. */
  audience?: string
  /** `'self'` (default, renewed before it expires), `'none'`, or a passport (compact JWS) from an issuer. */
  passport?: string
  /** Self-issued passport lifetime, seconds (default one day). */
  passportTtl?: number
  /** Manifest lifetime, seconds (default one hour). */
  manifestTtl?: number
  /** Further attestations served by `identity/get` (publisher, rotation). */
  attestations?: JsonObject[]
  /** Nonces remembered by the challenge responder (default 10,000). */
  replayCacheCapacity?: number
  /** The key id served everywhere (default the key's ext-auth kid). */
  kid?: string
  /** The trust level every tool requires of its callers, 0–4 (default 0: anonymous callers allowed). */
  minTrustLevel?: number
  /** Per-tool levels (a tool requires the higher of this and `minTrustLevel`), published signed in the manifest. */
  toolTrustLevels?: Record<string, number>
}

/** A caller the gate identified. */
export interface CallerInfo {
  did: string
  /** Trust level 1–4. */
  level: number
  issuer: string | null
}

/**
 * Hand it back to {@link ServerPresentation.completeCall} unchanged. `replayKey` and
 * `expiresAt` (null for an anonymous call) are for a replay store shared by replicas
 * ({@link ServerPresentation.completeAdmission}).
 */
export type CallTicket = JsonObject & { replayKey: string | null; expiresAt: number | null }

/** The gate's decision on one `tools/call` (spec §20.6). */
export type CallAdmission =
  | { run: true; ticket: CallTicket; caller: CallerInfo | null }
  | { run: false; error: { code: number; message: string; data: JsonObject }; writes: EvidenceWrite[] }

/**
 * A server's identity, presented: capabilities, signed `tools/list` results, `identity/get`
 * and `identity/challenge` answers. One per signing key, shared by every connection (one
 * replay cache).
 */
export class ServerPresentation {
  readonly #inner: WasmServerPresentation
  /** @throws `invalid_policy` for an unknown option or a wrong type. */
  constructor(key: SigningKey | Signer, options?: ServerOptions) {
    const k = signingKeyArg(key)
    const text = jsonText(opts(options, 'invalid_policy'), 'options', 'invalid_policy')
    this.#inner = call((g) => new g.WasmServerPresentation(k, text))
  }
  get kid(): string {
    return call(() => this.#inner.kid())
  }
  get did(): string {
    return call(() => this.#inner.did())
  }
  /** What to merge into the `initialize` capabilities. */
  capabilities(): JsonObject {
    return JSON.parse(call(() => this.#inner.capabilities())) as JsonObject
  }
  /** Headers for a Streamable HTTP response (identity hint + CORS expose). */
  httpHeaders(): Record<string, string> {
    return JSON.parse(call(() => this.#inner.httpHeaders())) as Record<string, string>
  }
  /** The passport served now (renewed when half used), if any. */
  passport(options?: { currentDate?: Date }): string | null {
    const now = seconds(opts(options, 'invalid_policy').currentDate)
    return call(() => this.#inner.passport(now)) ?? null
  }
  /**
   * Signs one `tools/list` result (tools, manifest, passport in `_meta`). `cursor`: the cursor
   * the request carried (paginated lists get a page token binding it to `nextCursor`).
   */
  signToolsList(result: unknown, options?: { cursor?: string; currentDate?: Date }): JsonObject {
    return JSON.parse(this.#signedText(result, options)) as JsonObject
  }
  /**
   * {@link ServerPresentation.signToolsList} for the MCP adapters, which hand the page to the
   * SDK to send: while the core serves the same signed text (until its renewal), the same
   * object, deeply frozen since every connection gets it, instead of parsing the text again
   * (0.3 ms of a 100-tool `tools/list`). @internal
   */
  servedToolsList(result: unknown, options?: { cursor?: string; currentDate?: Date }): JsonObject {
    const signed = this.#signedText(result, options)
    // One page per cursor: a renewed or changed page replaces its predecessor at once.
    const cursor = options?.cursor ?? null
    const kept = this.#served.get(cursor)
    if (kept !== undefined && kept.text === signed) return kept.page
    // A server lists a handful of pages; more cursors than this mean clients make them up.
    if (kept === undefined && this.#served.size >= 16) this.#served.clear()
    const page = deepFreeze(JSON.parse(signed) as JsonObject)
    this.#served.set(cursor, { text: signed, page })
    return page
  }
  readonly #served = new Map<string | null, { text: string; page: JsonObject }>()
  #signedText(result: unknown, options: { cursor?: string; currentDate?: Date } | undefined): string {
    const o = opts(options, 'invalid_policy')
    const t = jsonText(result, 'result', 'malformed_tool_definition')
    const cursor = o.cursor === undefined || o.cursor === null ? undefined : text(o.cursor, 'cursor', 'malformed_tool_definition')
    const now = seconds(o.currentDate)
    const raw = utf8(t)
    return call(() => this.#inner.signToolsList(raw, cursor, now))
  }
  /** The `identity/get` result. */
  identityGet(options?: { currentDate?: Date }): JsonObject {
    const now = seconds(opts(options, 'invalid_policy').currentDate)
    return JSON.parse(call(() => this.#inner.identityGet(now))) as JsonObject
  }
  /**
   * The `identity/challenge` answer: `{ result }`, or `{ error: { code, message, data } }` to
   * send as the JSON-RPC error. `client` names the sender (its quota of the replay cache):
   * a session id, an authenticated client, a remote address (docs/spec.md §13.4.1).
   */
  answerChallenge(params: unknown, client: string, options?: { currentDate?: Date }): ChallengeAnswer {
    const t = jsonText(params ?? {}, 'params', 'invalid_challenge')
    const c = text(client, 'client', 'invalid_challenge')
    const now = seconds(opts(options, 'invalid_policy').currentDate)
    return JSON.parse(call(() => this.#inner.answerChallenge(t, c, now))) as ChallengeAnswer
  }
  /**
   * For replicas sharing a replay store: every check and the quota; then insert `storeKey`
   * into the store if absent until `expiresAt` (Unix seconds) and call
   * {@link ServerPresentation.completeChallenge} with whether it was inserted.
   */
  admitChallenge(params: unknown, client: string, options?: { currentDate?: Date }): { storeKey: string; expiresAt: number } | { error: ChallengeErrorObject } {
    const t = jsonText(params ?? {}, 'params', 'invalid_challenge')
    const c = text(client, 'client', 'invalid_challenge')
    const now = seconds(opts(options, 'invalid_policy').currentDate)
    return JSON.parse(call(() => this.#inner.admitChallenge(t, c, now)))
  }
  /** The answer once the shared store said whether it took the key (not taken: `replayed_nonce`). */
  completeChallenge(storeKey: string, inserted: boolean): ChallengeAnswer {
    const k = text(storeKey, 'storeKey', 'invalid_challenge')
    return JSON.parse(call(() => this.#inner.completeChallenge(k, inserted === true))) as ChallengeAnswer
  }
  /** Sets the level (0–4) `tool` requires; the next `tools/list` publishes it. @throws `invalid_policy`. */
  setToolTrustLevel(tool: string, level: number): void {
    const t = text(tool, 'tool', 'invalid_policy')
    if (typeof level !== 'number') throw errorFor('invalid_policy', 'a trust level is an integer 0–4')
    call(() => this.#inner.setToolTrustLevel(t, level))
  }
  /** The level `tool` requires. */
  requiredLevel(tool: string): number {
    return call(() => this.#inner.requiredLevel(text(tool, 'tool', 'invalid_policy')))
  }
  /** The issuers (with their `maxLevel`) whose passports raise callers, and the revocation lists applied to callers. */
  setCallerTrust(store: TrustStore): void {
    if (!(store instanceof TrustStore)) throw errorFor('invalid_policy', 'setCallerTrust takes a TrustStore')
    call(() => this.#inner.setCallerTrust(storeInner(store)))
  }
  /**
   * Decides one `tools/call` before its handler runs (spec §20.6): `params` as received (with
   * `_meta`), `header` the `MCP-Attest-Caller` request header (HTTP), `client` the replay-quota
   * key, `log` the evidence log (its lines are returned, to append). On `run: false` answer
   * with `error` and do not run the handler.
   *
   * @throws `server_error` when the log cannot record (fail the call closed); `invalid_policy`
   * for another server's log; JSON codes and `caller_proof_mismatch` for params that are not
   * a `tools/call`'s.
   */
  admitCall(params: unknown, options: { client: string; header?: string | null; log?: EvidenceLog; currentDate?: Date }): CallAdmission {
    const o = opts(options, 'invalid_policy')
    const p = jsonText(params ?? {}, 'params', 'caller_proof_mismatch')
    const c = text(o.client, 'client', 'invalid_policy')
    const h = o.header === undefined || o.header === null ? undefined : text(o.header, 'header', 'malformed_token')
    const now = seconds(o.currentDate)
    const log = o.log === undefined ? undefined : evidenceLogInner(o.log)
    return JSON.parse(call(() => (log === undefined ? this.#inner.admitCall(p, h, c, now) : this.#inner.admitCallLogged(p, h, c, now, log)))) as CallAdmission
  }
  /**
   * For replicas sharing a replay store (e.g. `RedisReplayStore`): after an admission with
   * `run: true` whose ticket has a `replayKey`, insert it into the store if absent (until
   * `expiresAt`) and pass whether it was inserted. Not inserted — another replica admitted the
   * proof — is a replay: the refusal to answer with, and its evidence lines.
   */
  completeAdmission(ticket: CallTicket, inserted: boolean, options?: { log?: EvidenceLog; currentDate?: Date }): CallAdmission {
    const o = opts(options, 'invalid_policy')
    const t = jsonText(ticket, 'ticket', 'malformed_evidence')
    const now = seconds(o.currentDate)
    const log = o.log === undefined ? undefined : evidenceLogInner(o.log)
    const flag = inserted === true
    return JSON.parse(
      call(() => (log === undefined ? this.#inner.completeAdmission(t, flag, now) : this.#inner.completeAdmissionLogged(t, flag, now, log))),
    ) as CallAdmission
  }
  /**
   * Records an admitted call's outcome: the `CallToolResult` the handler returned (an
   * `isError` result too), or the JSON-RPC error it failed with. Returns the evidence lines.
   */
  completeCall(ticket: CallTicket, outcome: { result: unknown } | { error: { code: number; message?: string; data?: unknown } }, options?: { log?: EvidenceLog; currentDate?: Date }): EvidenceWrite[] {
    const o = opts(options, 'invalid_policy')
    const t = jsonText(ticket, 'ticket', 'malformed_evidence')
    const out = opts(outcome, 'malformed_evidence') as { result?: unknown; error?: unknown }
    const result = 'result' in out ? jsonText(out.result, 'result', 'malformed_evidence') : undefined
    const error = 'error' in out ? jsonText(out.error, 'error', 'malformed_evidence') : undefined
    const now = seconds(o.currentDate)
    const log = o.log === undefined ? undefined : evidenceLogInner(o.log)
    return JSON.parse(
      call(() => (log === undefined ? this.#inner.completeCall(t, result, error, now) : this.#inner.completeCallLogged(t, result, error, now, log))),
    ) as EvidenceWrite[]
  }
}

/** `v` and everything in it, frozen (JSON values: no cycles). */
function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === 'object' && !Object.isFrozen(v)) {
    for (const x of Object.values(v)) deepFreeze(x)
    Object.freeze(v)
  }
  return v
}
