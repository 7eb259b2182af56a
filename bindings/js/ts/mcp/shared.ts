/**
 * Shared, SDK-independent parts of the MCP adapters: `mcp-attest/mcp` (SDK 1.x) and
 * `mcp-attest/mcp/v2` (the split 2.x packages) are thin layers over this module. Nothing here
 * imports an MCP SDK: custom requests go through the client's `request(req, schema)` (a zod
 * object is a Standard Schema, accepted by both SDK lines) and JSON-RPC errors are recognised by
 * shape (an `Error` with a numeric `code`).
 *
 * @module
 * @internal
 */
import { z } from 'zod'
import {
  ChallengeResponder,
  McpAttestError,
  PassportVerifier,
  RedisReplayStore,
  TrustStore,
  TrustedIssuer,
  VerifyingKey,
  challengeErrorToJsonRpc,
  contentHash,
  createChallenge,
  identityDocument,
  issueSelfPassport,
  signToolsList,
  toolsHash,
  verifyChallengeResponse,
  verifyIdentityDocument,
  verifyToolsList,
  type JsonObject,
  type Passport,
  type ReplayStore,
  type SigningKey,
  type ToolsReport,
  type VerifiedIdentity,
} from '../index.js'

/** The `_meta` key of the `tools/list` result, and the capability key. */
export const IDENTITY_KEY = 'org.mcp-attest/identity'
/** The ext-auth draft's key (per-tool `_meta` and `capabilities.extensions`). */
export const SERVER_IDENTITY_KEY = 'io.modelcontextprotocol/server-identity'
/** The custom JSON-RPC methods. */
export const METHOD_GET = 'identity/get'
export const METHOD_CHALLENGE = 'identity/challenge'

/** An SDK 1.x `Client` (connected). */
export interface SdkClient {
  request(request: { method: string; params?: JsonObject }, resultSchema: unknown, options?: unknown): Promise<any>
  setNotificationHandler(schema: unknown, handler: (n: any) => unknown): void
  getServerVersion?(): { name?: string; version?: string } | undefined
  getServerCapabilities?(): JsonObject | undefined
}


/** Raised when the SDK no longer has the shape an adapter relies on. */
export class SdkShapeError extends Error {
  constructor(message: string, adapter = 'mcp-attest/mcp', supports = '@modelcontextprotocol/sdk 1.x') {
    super(`${adapter}: the MCP SDK changed shape (${message}); this adapter supports ${supports}`)
    this.name = 'SdkShapeError'
  }
}


/** @internal */
export const loose = z.object({}).passthrough()
/** @internal */
export const paramsSchema = z.object({}).passthrough().optional()

// ---------------------------------------------------------------------------------------------
// Server

/** Options for {@link attachIdentity}. */
export interface AttachIdentityOptions {
  /** The server's signing key. */
  key: SigningKey
  /**
   * The passport put in every `tools/list` result: a compact JWS, a function returning one, or
   * `false` for none. Default: a self-issued passport (1 day, re-issued when half used).
   */
  passport?: string | (() => string) | false
  /** The manifest's `aud` (the client this server expects). */
  audience?: string
  /** The clock (default: `new Date()`). */
  now?: () => Date
  /** Manifest lifetime in seconds (default 3600). */
  manifestTtl?: number
  /** Further attestations served by `identity/get` (publisher, rotation). */
  attestations?: JsonObject[]
  /** The challenge responder; default: one per key, shared by every server of that key. */
  responder?: ChallengeResponder
  /**
   * A store of answered challenge nonces shared by the replicas of this server (e.g.
   * `RedisReplayStore`), so that an answer cannot be replayed against another replica.
   * Default: none (the responder's in-memory cache alone).
   */
  replayStore?: ReplayStore
  /**
   * Who sent a challenge, from the SDK's request context (`extra` in SDK 1.x, `ctx` in 2.x):
   * each client may hold at most the responder's `clientQuota` of its cache. Default:
   * `auth:<authInfo.clientId>` when the transport authenticated the client, else
   * `session:<sessionId>` (Streamable HTTP), else one key per attached server instance (a stdio
   * connection). Behind a load balancer without sessions, return the client address the
   * balancer vouches for (e.g. from `extra.requestInfo.headers['x-forwarded-for']`).
   */
  clientKey?: (context: unknown) => string | undefined
}

let connections = 0

/** The default client key (see {@link AttachIdentityOptions.clientKey}). @internal */
export function defaultClientKey(context: unknown, connection: string): string {
  const c = asObject(context)
  const auth = asObject(c?.authInfo) ?? asObject(asObject(c?.http)?.authInfo)
  if (typeof auth?.clientId === 'string' && auth.clientId !== '') return `auth:${auth.clientId}`
  if (typeof c?.sessionId === 'string' && c.sessionId !== '') return `session:${c.sessionId}`
  return `connection:${connection}`
}

const responders = new WeakMap<SigningKey, ChallengeResponder>()

/** What {@link attachIdentity} returns. */
export interface AttachedIdentity {
  /** The server's did:key. */
  did: string
  /** The served kid. */
  kid: string
  /** The challenge responder in use. */
  responder: ChallengeResponder
}

/** The SDK-independent server side of an identity (used by every adapter). @internal */
export interface IdentityCore {
  key: SigningKey
  did: string
  kid: string
  responder: ChallengeResponder
  now: () => Date
  /** The capability advertisement (`experimental` / `extensions`). */
  capabilities: JsonObject
  /** The `identity/get` result. */
  identity(): JsonObject
  /** The `identity/challenge` result; a refused challenge throws `toError(code, message, data)`. `context` is the SDK's request context (for the client key). */
  challenge(params: JsonObject | undefined, toError: (code: number, message: string, data: JsonObject) => Error, context?: unknown): Promise<JsonObject>
  /** Signs a `tools/list` result (merging into its `_meta`, never replacing it). */
  sign(result: unknown): JsonObject
}

/** Builds the server side of an identity. @internal */
export function identityCore(options: AttachIdentityOptions, serverInfo: () => { name?: unknown; version?: unknown } | undefined): IdentityCore {
  if (options === null || typeof options !== 'object' || options.key === undefined) throw new TypeError('attachIdentity: options.key is required')
  const key = options.key
  const vk = key.verifyingKey()
  const did = vk.toDidKey()
  const kid = vk.kid()
  const now = options.now ?? (() => new Date())
  let responder = options.responder ?? responders.get(key)
  if (responder === undefined) {
    responder = new ChallengeResponder({ kid })
    responders.set(key, responder)
  }
  const resp = responder
  // One key per attached server instance: an SDK server object serves one stdio connection.
  const connection = `${++connections}`
  const store = options.replayStore
  const clientKeyOf = (context: unknown): string => {
    const custom = options.clientKey?.(context)
    return typeof custom === 'string' && custom !== '' ? custom : defaultClientKey(context, connection)
  }

  let cached: { token: string; renewAt: number } | undefined
  const passport = (): string | undefined => {
    const p = options.passport
    if (p === false) return undefined
    if (typeof p === 'string') return p
    if (typeof p === 'function') return p()
    const t = now().getTime()
    if (cached === undefined || t >= cached.renewAt) {
      const info = serverInfo() ?? {}
      const name = typeof info.name === 'string' && info.name !== '' ? info.name : 'mcp-server'
      const version = typeof info.version === 'string' && info.version !== '' ? info.version : undefined
      cached = { token: issueSelfPassport(key, { name, version }, { currentDate: now(), expiresIn: 86400 }), renewAt: t + 43200_000 }
    }
    return cached.token
  }
  const ad = { version: '1.0.0', did, methods: [METHOD_GET, METHOD_CHALLENGE] }
  return {
    key,
    did,
    kid,
    responder: resp,
    now,
    capabilities: { experimental: { [IDENTITY_KEY]: ad }, extensions: { [SERVER_IDENTITY_KEY]: { version: '1.0.0' } } },
    identity: () => identityDocument(key, { kid, currentDate: now(), attestations: options.attestations ?? [] }) as unknown as JsonObject,
    async challenge(p, toError, context) {
      const { _meta: _ignored, ...params } = (p ?? {}) as JsonObject
      try {
        const clientKey = clientKeyOf(context)
        return (await resp.respondAsync(key, params as never, { currentDate: now(), clientKey, replayStore: store })) as unknown as JsonObject
      } catch (e) {
        // A store that cannot answer is not the client's fault and must not answer: the SDK
        // turns a plain Error into JSON-RPC Internal error (-32603), without data.reason.
        if (!(e instanceof McpAttestError)) throw e
        const err = challengeErrorToJsonRpc(e)
        throw toError(err.code, err.message, err.data)
      }
    },
    sign(result) {
      const res = (result ?? {}) as JsonObject
      const meta = { ...((res._meta as JsonObject | undefined) ?? {}) }
      const mine = { ...((meta[IDENTITY_KEY] as JsonObject | undefined) ?? {}) }
      const p = passport()
      if (p !== undefined) mine.passport = p
      meta[IDENTITY_KEY] = mine
      return signToolsList(key, { ...res, _meta: meta }, { currentDate: now(), audience: options.audience, expiresIn: options.manifestTtl })
    },
  }
}

/** The HTTP identity hint header. */
export const IDENTITY_HEADER = 'X-AI-Identity'

/**
 * Headers for a Streamable HTTP response: the `X-AI-Identity` hint (`did=<did:key>`) and, for
 * browser clients, `Access-Control-Expose-Headers`. A hint only: clients verify the signed
 * `_meta` and the challenge, never the header.
 */
export function identityHeaders(key: SigningKey | VerifyingKey | string): Record<string, string> {
  const did = typeof key === 'string' ? VerifyingKey.fromDidKey(key).toDidKey() : key instanceof VerifyingKey ? key.toDidKey() : key.verifyingKey().toDidKey()
  return { [IDENTITY_HEADER]: `did=${did}`, 'Access-Control-Expose-Headers': `${IDENTITY_HEADER}, Mcp-Session-Id` }
}

// ---------------------------------------------------------------------------------------------
// Client

/** The client's policy for {@link verifyServer}. */
export interface VerifyPolicy {
  /** The identifier the server is pinned under in `trustStore` (e.g. its URL). Default: the server's reported name. */
  serverId?: string
  /** Pins (TOFU), trusted issuers and revocation lists. */
  trustStore?: TrustStore
  /** The server's expected did:key (or key), from configuration. */
  expectedDid?: string | VerifyingKey
  /** Further trusted passport issuers. */
  trustedIssuers?: TrustedIssuer[]
  /** Require a passport (default true). */
  requirePassport?: boolean
  /** Accept self-issued passports (default: only when no trusted issuer is configured; false requires a trusted issuer's). */
  allowSelfIssued?: boolean
  /** Prove possession with identity/challenge (default true). */
  challenge?: boolean
  /** This client's audience (checked on the passport and the manifest). */
  audience?: string
  /** The clock (default `new Date()`). */
  now?: () => Date
  /** `'always'` (default here): each tool's own signature is checked too, so a malformed or oversized per-tool attestation is refused even when the manifest covers the tool; `'if-no-manifest'`: the manifest alone suffices. */
  toolSignatures?: 'if-no-manifest' | 'always'
  /** Content hashes accepted earlier (name → `sha256-…`); a changed tool is rejected as `tool_changed`. */
  knownTools?: Map<string, string>
  /** Require the signed tools manifest on every page (default true). */
  requireManifest?: boolean
  /** Largest number of `tools/list` pages fetched (default 100). */
  maxPages?: number
  /** Request options passed to the SDK (timeout, signal). */
  requestOptions?: JsonObject
}

/** A rejected tool. */
export interface RejectedTool {
  name: string | null
  /** The core's per-tool status (`tampered`, `unsigned`, …) or `server_unverified` / `changed`. */
  status: string
  /** A stable code (the core's error codes, or `tool_changed`). */
  code: string
  message: string
}

/** The result of {@link verifyServer}. */
export interface ServerVerification {
  /** True when the server's identity was established and every tool verified. */
  verified: boolean
  /** The server's did:key when established. */
  serverDid: string | null
  /** The verified passport, if any. */
  passport: Passport | null
  /** The verified identity/get document, if fetched. */
  identity: VerifiedIdentity | null
  /** The pin check: `first_use`, `match`, or null without a store. */
  pin: 'first_use' | 'match' | null
  /** Whether identity/challenge was answered correctly (null when not asked). */
  challenge: boolean | null
  /** When the server itself is unverified: why. */
  error: { code: string; message: string } | null
  /** The verified tools, as listed (with their `_meta`). */
  tools: JsonObject[]
  /** Every other tool, with a reason. */
  rejected: RejectedTool[]
  /** The core's tools reports, one per page. */
  reports: ToolsReport[]
}

class Refusal extends Error {
  constructor(readonly code: string, message: string) {
    super(message)
  }
}

const CODE = /^[a-z][a-z0-9_]{0,63}$/
const short = (m: unknown): string => {
  const t = typeof m === 'string' ? m : String(m)
  return t.length > 500 ? `${t.slice(0, 500)}…` : t
}

/** A failure as a stable code. Codes from the server (an error's `data.code` / `data.reason`) are taken only when well-formed. */
function codeOf(e: unknown, fallback: string): Refusal {
  if (e instanceof Refusal) return e
  if (e instanceof McpAttestError) return new Refusal(e.code, short(e.message))
  // A JSON-RPC error of either SDK line (1.x McpError, 2.x ProtocolError): an Error with a numeric code.
  if (e instanceof Error && typeof (e as { code?: unknown }).code === 'number') {
    const data = asObject((e as { data?: unknown }).data)
    const c = data === undefined ? undefined : [data.code, data.reason].find((x) => typeof x === 'string' && CODE.test(x))
    return new Refusal(typeof c === 'string' ? c : fallback, short((e as Error).message))
  }
  return new Refusal(fallback, short(e instanceof Error ? e.message : e))
}

function asObject(v: unknown): JsonObject | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as JsonObject) : undefined
}

export function checkClient(client: SdkClient): void {
  if (client === null || typeof client !== 'object' || typeof client.request !== 'function') {
    throw new SdkShapeError('Client.request is not a function')
  }
}

/** Fetches every page of `tools/list` as raw results (nothing dropped by the SDK's Tool schema). */
async function listPages(client: SdkClient, policy: VerifyPolicy): Promise<JsonObject[]> {
  const pages: JsonObject[] = []
  let cursor: string | undefined
  const max = policy.maxPages ?? 100
  do {
    const r = asObject(await client.request({ method: 'tools/list', params: cursor === undefined ? {} : { cursor } }, loose, policy.requestOptions))
    if (r === undefined) throw new Refusal('malformed_tool_definition', 'tools/list result is not an object')
    pages.push(r)
    cursor = typeof r.nextCursor === 'string' ? r.nextCursor : undefined
  } while (cursor !== undefined && pages.length < max)
  return pages
}

function toKey(v: string | VerifyingKey): VerifyingKey {
  return typeof v === 'string' ? VerifyingKey.fromDidKey(v) : v
}

/**
 * Verifies a connected server against `policy`: lists the tools (raw, every page), verifies the
 * passport from the result `_meta` (trusted issuers, revocation, expiry, audience), fetches and
 * verifies `identity/get`, checks the pin / expected DID and revocation, proves possession with
 * `identity/challenge`, and verifies each tool under the established key.
 * Never throws for what the server sends: a bad server is reported unverified with a code.
 *
 * @throws SdkShapeError for a client that is not an SDK 1.x `Client`.
 */
export async function verifyServer(client: SdkClient, policy: VerifyPolicy = {}): Promise<ServerVerification> {
  checkClient(client)
  const now = policy.now ?? (() => new Date())
  const out: ServerVerification = {
    verified: false, serverDid: null, passport: null, identity: null, pin: null, challenge: null, error: null, tools: [], rejected: [], reports: [],
  }
  let pages: JsonObject[] = []
  const rawTools = (): JsonObject[] => pages.flatMap((p) => (Array.isArray(p.tools) ? (p.tools as unknown[]).map((t) => asObject(t) ?? {}) : []))
  const rejectAll = (r: Refusal): ServerVerification => {
    out.error = { code: r.code, message: r.message }
    out.tools = []
    out.rejected = rawTools().map((t) => ({ name: typeof t.name === 'string' ? t.name : null, status: 'server_unverified', code: r.code, message: r.message }))
    out.verified = false
    return out
  }
  try {
    pages = await listPages(client, policy)
  } catch (e) {
    return rejectAll(codeOf(e, 'malformed_tool_definition'))
  }
  try {
    // 1. The passport (result _meta), verified under the trust store's issuers and lists.
    const meta = asObject(pages[0]?._meta)
    const mine = meta === undefined ? undefined : meta[IDENTITY_KEY]
    if (mine !== undefined && asObject(mine) === undefined) throw new Refusal('malformed_token', `result _meta["${IDENTITY_KEY}"] is not an object`)
    const token = asObject(mine)?.passport
    let key: VerifyingKey | undefined
    if (token !== undefined) {
      if (typeof token !== 'string') throw new Refusal('malformed_token', 'the passport is not a string')
      const verifier = policy.trustStore ? policy.trustStore.passportVerifier() : new PassportVerifier()
      for (const i of policy.trustedIssuers ?? []) verifier.addIssuer(i)
      out.passport = verifier.verify(token, { currentDate: now(), audience: policy.audience, allowSelfIssued: policy.allowSelfIssued })
      key = VerifyingKey.fromDidKey(out.passport.subject)
    } else if (policy.requirePassport !== false) {
      throw new Refusal('missing_claim', 'the server sent no passport')
    }
    // 2. identity/get: the served key and kid.
    let doc: unknown
    try {
      doc = await client.request({ method: METHOD_GET, params: {} }, loose, policy.requestOptions)
    } catch (e) {
      throw codeOf(e, 'malformed_identity')
    }
    const { _meta: _m, ...document } = (asObject(doc) ?? {}) as JsonObject
    out.identity = verifyIdentityDocument(document, { currentDate: now(), previousKey: undefined })
    const served = VerifyingKey.fromDidKey(out.identity.did)
    if (key !== undefined && !key.equals(served)) throw new Refusal('subject_mismatch', 'identity/get serves another key than the passport names')
    key ??= served
    // 3. Configuration, revocation and the pin.
    if (policy.expectedDid !== undefined && !toKey(policy.expectedDid).equals(key)) {
      throw new Refusal('pinned_key_changed', `the server key is not the expected ${typeof policy.expectedDid === 'string' ? policy.expectedDid : policy.expectedDid.toDidKey()}`)
    }
    if (policy.trustStore) {
      policy.trustStore.checkRevoked(key)
    }
    // 4. Proof of possession.
    if (policy.challenge !== false) {
      let params = createChallenge({ currentDate: now() })
      let answer: unknown
      for (let attempt = 1; ; attempt++) {
        try {
          answer = await client.request({ method: METHOD_CHALLENGE, params: { ...params } }, loose, policy.requestOptions)
          break
        } catch (e) {
          // A full replay cache is the server's passing condition (entries expire within
          // 360 s, others' quotas free up): one retry with a fresh challenge, decided on
          // data.reason only (the SDKs raise JSON-RPC codes locally too).
          const reason = e instanceof Error ? asObject((e as { data?: unknown }).data)?.reason : undefined
          if (attempt === 1 && reason === 'nonce_cache_full') {
            params = createChallenge({ currentDate: now() })
            continue
          }
          out.challenge = false
          throw codeOf(e, 'invalid_challenge')
        }
      }
      const a = asObject(answer) ?? {}
      try {
        verifyChallengeResponse(params, { signature: a.signature, kid: a.kid } as never, key, { kid: out.identity.kid || undefined })
      } catch (e) {
        out.challenge = false
        throw e
      }
      out.challenge = true
    }
    // The pin only after the server proved possession (a failed server must not be pinned).
    if (policy.trustStore) {
      const id = policy.serverId ?? client.getServerVersion?.()?.name
      if (typeof id !== 'string' || id === '') throw new Refusal('malformed_trust_store', 'policy.serverId is required with a trust store')
      out.pin = policy.trustStore.checkPin(id, key, { currentDate: now() })
    }
    out.serverDid = key.toDidKey()
    // 5. The tools.
    const verified: JsonObject[] = []
    const rejected: RejectedTool[] = []
    const names = new Map<string, number>()
    for (const page of pages) {
      let report: ToolsReport
      try {
        report = verifyToolsList(page, key, { currentDate: now(), audience: policy.audience, toolSignatures: policy.toolSignatures ?? 'always', requireManifest: policy.requireManifest })
      } catch (e) {
        const r = codeOf(e, 'malformed_tool_definition')
        const tools = Array.isArray(page.tools) ? (page.tools as unknown[]) : []
        for (const t of tools) rejected.push({ name: typeof asObject(t)?.name === 'string' ? (asObject(t)!.name as string) : null, status: 'malformed', code: r.code, message: r.message })
        if (tools.length === 0) rejected.push({ name: null, status: 'malformed', code: r.code, message: `a tools/list page: ${r.message}` })
        continue
      }
      out.reports.push(report)
      const tools = page.tools as unknown[]
      // A tool verifies only under a valid manifest (audience, expiry, the whole list) unless the
      // policy accepts lists without one; an invalid manifest always rejects the page.
      const m = report.manifest
      const pageRefusal =
        m.status === 'invalid' ? { status: 'manifest_invalid', code: m.error, message: m.message }
        : m.status === 'absent' && policy.requireManifest !== false ? { status: 'manifest_absent', code: 'missing_signature', message: 'the tools list carries no signed manifest' }
        : undefined
      for (const line of report.tools) {
        const tool = line.index === null ? undefined : asObject(tools[line.index])
        if (line.status === 'verified' && tool !== undefined && pageRefusal === undefined) {
          names.set(String(line.name), (names.get(String(line.name)) ?? 0) + 1)
          verified.push(tool)
        } else if ((line.status === 'verified' || line.status === 'manifest_unverified') && pageRefusal !== undefined) {
          // The core marks sound tools under a failed required manifest manifest_unverified;
          // the adapter reports the page's refusal for them, as for any sound tool.
          rejected.push({ name: line.name, ...pageRefusal })
        } else {
          rejected.push({ name: line.name, status: line.status, code: line.error ?? line.status, message: line.message ?? line.status })
        }
      }
    }
    // Names repeated across pages: ambiguous, reject all copies.
    const unique = verified.filter((t) => {
      if ((names.get(String(t.name)) ?? 0) > 1) {
        rejected.push({ name: String(t.name), status: 'duplicate', code: 'malformed_tool_definition', message: 'the tool name repeats across pages' })
        return false
      }
      return true
    })
    // 6. The passport's tools hash, and tools accepted earlier (rug pulls).
    const th = out.passport?.mcp?.toolsHash
    let final = unique
    if (typeof th === 'string') {
      const got = toolsHash(rawTools())
      if (got !== th) {
        for (const t of final) rejected.push({ name: String(t.name), status: 'tampered', code: 'manifest_mismatch', message: "the tools differ from the passport's toolsHash" })
        final = []
      }
    }
    if (policy.knownTools) {
      final = final.filter((t) => {
        const name = String(t.name)
        const h = contentHash(t)
        const before = policy.knownTools!.get(name)
        if (before !== undefined && before !== h) {
          rejected.push({ name, status: 'changed', code: 'tool_changed', message: 'the tool changed since it was accepted' })
          return false
        }
        return true
      })
    }
    out.tools = final
    out.rejected = rejected
    out.verified = rejected.length === 0 && out.reports.length === pages.length
    return out
  } catch (e) {
    return rejectAll(codeOf(e, 'invalid_signature'))
  }
}

/**
 * The tools a model may use: those {@link verifyServer} verified, as MCP `Tool` objects (empty
 * when the server is unverified).
 */
export async function verifiedTools(client: SdkClient, policy: VerifyPolicy = {}): Promise<JsonObject[]> {
  return (await verifyServer(client, policy)).tools
}

/** A watcher from {@link watchServer}. */
export interface ServerWatch {
  /** The latest verification. */
  readonly current: ServerVerification
  /** Re-verifies now. */
  refresh(): Promise<ServerVerification>
  /** Stops reacting to `notifications/tools/list_changed`. */
  stop(): void
}
/**
 * The SDK-independent part of `watchServer`: `install(handler)` must make `handler` run on every
 * `notifications/tools/list_changed` (after any previous handler). @internal
 */
export async function watchWith(
  client: SdkClient,
  policy: VerifyPolicy,
  onChange: ((v: ServerVerification) => void) | undefined,
  install: (handler: (n: unknown) => Promise<void>) => void,
): Promise<ServerWatch> {
  const known = policy.knownTools ?? new Map<string, string>()
  const p: VerifyPolicy = { ...policy, knownTools: known }
  const remember = (v: ServerVerification): ServerVerification => {
    if (v.error === null) for (const t of v.tools) if (!known.has(String(t.name))) known.set(String(t.name), contentHash(t))
    return v
  }
  let current = remember(await verifyServer(client, p))
  let stopped = false
  let chain: Promise<unknown> = Promise.resolve()
  const refresh = (): Promise<ServerVerification> => {
    const next = chain.then(async () => {
      current = remember(await verifyServer(client, p))
      return current
    })
    chain = next.catch(() => undefined)
    return next
  }
  install(async () => {
    if (stopped) return
    const v = await refresh()
    onChange?.(v)
  })
  return {
    get current() {
      return current
    },
    refresh,
    stop() {
      stopped = true
    },
  }
}

export { TrustStore, RedisReplayStore, type ReplayStore }
