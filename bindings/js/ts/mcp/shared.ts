/**
 * The SDK-independent half of the MCP adapters: `mcp-attest/mcp` (SDK 1.x) and
 * `mcp-attest/mcp/v2` (the split 2.x packages) are thin layers over this module, and this
 * module is a thin layer over the core's {@link ServerPresentation} and {@link ClientSession}.
 * It decides nothing about trust: the order of checks, the defaults, the codes and the report
 * are the core's, identical in Python. What is left here is moving JSON between an SDK and the
 * core, and the few things only a host can know (who sent a challenge, where a replay store
 * lives, which raw tools a verdict refers to).
 *
 * Nothing here imports an MCP SDK: custom requests go through the client's
 * `request(req, schema)` (a zod object is a Standard Schema, accepted by both SDK lines) and
 * JSON-RPC errors are recognised by shape (an `Error` with a numeric `code`).
 *
 * @module
 * @internal
 */
import { z } from 'zod'
import {
  CALLER_HTTP_HEADER,
  CALLER_META_KEY,
  ClientSession,
  McpAttestError,
  RedisReplayStore,
  ServerPresentation,
  SigningKey,
  TrustStore,
  VerifyingKey,
  errorFor,
  CallerContext,
  type Signer,
  type CallerInfo,
  type ChallengeAnswer,
  type ClientPolicy,
  type EvidenceLog,
  type EvidenceWrite,
  type JsonObject,
  type ReplayStore,
  type ServerOptions,
  type ServerReport,
} from '../index.js'

/** The `_meta` key of the `tools/list` result, and the capability key. */
export const IDENTITY_KEY = 'org.mcp-attest/identity'
/** The ext-auth draft's key (per-tool `_meta` and `capabilities.extensions`). */
export const SERVER_IDENTITY_KEY = 'io.modelcontextprotocol/server-identity'
/** The custom JSON-RPC methods. */
export const METHOD_GET = 'identity/get'
export const METHOD_CHALLENGE = 'identity/challenge'
/** The HTTP identity hint header (a hint only: clients verify the signed `_meta` and the challenge). */
export const IDENTITY_HEADER = 'MCP-Attest-Identity'
export { CALLER_HTTP_HEADER, CALLER_META_KEY }

/** An SDK 1.x `Client` (connected). */
export interface SdkClient {
  request(request: { method: string; params?: JsonObject }, resultSchema: unknown, options?: unknown): Promise<any>
  setNotificationHandler(schema: unknown, handler: (n: any) => unknown): void
}

/** Raised when the SDK no longer has the shape an adapter relies on, or is not an SDK object at all. */
export class SdkShapeError extends McpAttestError {
  /** `code` is `unsupported_sdk`, as in Python. */
  constructor(message: string, adapter = 'mcp-attest/mcp', supports = '@modelcontextprotocol/sdk 1.x') {
    super('unsupported_sdk', `${adapter}: the MCP SDK changed shape (${message}); this adapter supports ${supports}`)
  }
}

/** Any JSON object: the SDK must hand over results unfiltered (its Tool schema drops fields). @internal */
export const loose = z.object({}).passthrough()
/** @internal */
export const paramsSchema = z.object({}).passthrough().optional()

// ---------------------------------------------------------------------------------------------
// Server

/**
 * Options for `attachIdentity`: the core's server options (same names and defaults as
 * Python's `attach_identity`; `name` and `version` come from the SDK server object) plus
 * what only the host has: the key, a shared replay store and who sent a challenge.
 */
export interface AttachIdentityOptions extends Omit<ServerOptions, 'name' | 'version'> {
  /**
   * The server's signing key: a `SigningKey` (e.g. from `loadOrCreateKey` in `mcp-attest/fs`)
   * or a `Signer` over a key in a KMS, an HSM or a keychain; anything else is `invalid_key`.
   */
  key: SigningKey | Signer
  /**
   * A store shared by the replicas of this server (e.g. `RedisReplayStore`) of answered
   * challenge nonces and of caller proofs admitted, so that neither can be replayed against
   * another replica. Default: none (the presentation's in-memory caches alone).
   */
  replayStore?: ReplayStore
  /**
   * Who sent a challenge, from the SDK's request context (`extra` in SDK 1.x, `ctx` in 2.x):
   * each client may hold at most its quota of the replay cache (docs/spec.md §13.4.1).
   * Default: `auth:<authInfo.clientId>` when the transport authenticated the client, else
   * `session:<sessionId>` (Streamable HTTP), else one key per attached server instance (a stdio
   * connection). Behind a load balancer without sessions, return the client address the
   * balancer vouches for (e.g. from `extra.requestInfo.headers['x-forwarded-for']`).
   */
  clientKey?: (context: unknown) => string | undefined
  /**
   * The issuers (each with its `maxLevel`) whose passports raise a caller's trust level, and
   * the revocation lists applied to callers. Default: none (a caller with a key is level 1).
   */
  callerTrust?: TrustStore
  /**
   * Where every `tools/call` decision — allowed or denied — is recorded: `openEvidenceLog(…)`
   * from `mcp-attest/fs`, or any {@link EvidenceSink}. A record that cannot be written fails
   * the call closed. Default: none.
   */
  evidenceLog?: EvidenceSink
}

/**
 * Where a server's evidence lines go: `FileEvidenceLog` from `mcp-attest/fs` is one. `log`
 * produces the lines (the core decides them); `write` must append them, in order, before it
 * returns, and throw when it cannot.
 */
export interface EvidenceSink {
  readonly log: EvidenceLog
  write(writes: EvidenceWrite[]): void
}

/** What `attachIdentity` returns. */
export interface AttachedIdentity {
  /** The server's did:key. */
  did: string
  /** The served kid. */
  kid: string
  /** The presentation in use (one per key and configuration, shared by every server object). */
  presentation: ServerPresentation
  /** Headers to set on Streamable HTTP responses (`MCP-Attest-Identity`, CORS expose). */
  httpHeaders(): Record<string, string>
  /**
   * Sets the trust level (0–4) tool `name` requires, on top of `minTrustLevel`; the next
   * signed `tools/list` publishes it (a connected server also sends
   * `notifications/tools/list_changed`). Shared by every server object of the same
   * presentation. `invalid_policy` outside 0–4.
   */
  setToolTrustLevel(name: string, level: number): void
  /**
   * The caller the server identified for the request whose handler context (`extra` in SDK
   * 1.x, `ctx` in 2.x) is `context`: `null` for an anonymous caller or outside a `tools/call`.
   */
  callerOf(context: unknown): CallerInfo | null
}

/** The SDK-independent server side (used by every adapter). @internal */
export interface IdentityCore extends AttachedIdentity {
  /** The `identity/challenge` result; a refused challenge throws `toError(code, message, data)`. */
  challenge(params: unknown, context: unknown, toError: (code: number, message: string, data: JsonObject) => Error): Promise<JsonObject>
  /** Signs one `tools/list` result; `request` is the SDK's request (its `params.cursor`). */
  sign(result: unknown, request: unknown): JsonObject
  /**
   * One `tools/call` through the core's gate: admit (a refusal throws `toError(code, message,
   * data)` and `run` is never called), run, complete; every evidence line is written first.
   * `header`: the `MCP-Attest-Caller` request header (Streamable HTTP).
   */
  call(params: unknown, context: unknown, header: string | undefined, run: () => Promise<unknown>, toError: (code: number, message: string, data: JsonObject) => Error): Promise<unknown>
  /** Called once the SDK server is connected: `notify` sends `notifications/tools/list_changed`. */
  onConnected(notify: () => unknown): void
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

/**
 * One presentation per public key and configuration, for the whole process: a Streamable HTTP
 * factory (`createMcpHandler`) builds a new server — often a new `SigningKey` object — per
 * request, and replay protection only holds if every one of them answers from the same
 * replay cache. Keyed by the did, never by the key object.
 */
const presentations = new Map<string, ServerPresentation>()

function isSigner(k: unknown): k is Signer {
  return typeof k === 'object' && k !== null && 'publicKey' in k && typeof (k as { sign?: unknown }).sign === 'function'
}

function signerDid(s: Signer): string {
  const pk = s.publicKey
  if (pk instanceof VerifyingKey) return pk.toDidKey()
  if (typeof pk === 'string') return VerifyingKey.fromDidKey(pk).toDidKey()
  if (pk instanceof Uint8Array) return VerifyingKey.fromBytes(pk).toDidKey()
  throw errorFor('invalid_key', 'attachIdentity: options.key.publicKey must be 32 bytes, a did:key or a VerifyingKey')
}

/** Builds (or reuses) the server side of an identity. @internal */
export function identityCore(options: AttachIdentityOptions, serverInfo: { name?: unknown; version?: unknown } | undefined): IdentityCore {
  if (options === null || typeof options !== 'object') throw errorFor('invalid_policy', 'attachIdentity: options must be an object with a key')
  const { key, replayStore, clientKey, callerTrust, evidenceLog, ...rest } = options
  if (!(key instanceof SigningKey) && !isSigner(key)) {
    throw errorFor('invalid_key', 'attachIdentity: options.key must be a SigningKey (loadOrCreateKey, or SigningKey.from…) or a Signer ({ publicKey, sign(data) })')
  }
  if (clientKey !== undefined && typeof clientKey !== 'function') throw errorFor('invalid_policy', 'attachIdentity: options.clientKey must be a function')
  if (replayStore !== undefined && typeof (replayStore as { insertIfAbsent?: unknown })?.insertIfAbsent !== 'function') {
    throw errorFor('invalid_policy', 'attachIdentity: options.replayStore must have insertIfAbsent(key, expiresAt)')
  }
  if (callerTrust !== undefined && !(callerTrust instanceof TrustStore)) throw errorFor('invalid_policy', 'attachIdentity: options.callerTrust must be a TrustStore')
  if (evidenceLog !== undefined && (evidenceLog === null || typeof evidenceLog !== 'object' || typeof evidenceLog.write !== 'function' || typeof evidenceLog.log !== 'object')) {
    throw errorFor('invalid_policy', 'attachIdentity: options.evidenceLog must be an evidence log (openEvidenceLog from mcp-attest/fs): { log, write(writes) }')
  }
  for (const taken of ['name', 'version']) {
    // The SDK server already has them; a second source could only disagree.
    if (taken in rest) throw errorFor('invalid_policy', `attachIdentity: the ${taken} comes from the SDK server object, not from options`)
  }
  const coreOptions = { ...rest, name: serverInfo?.name, version: serverInfo?.version }
  const did = key instanceof SigningKey ? key.verifyingKey().toDidKey() : signerDid(key)
  // Canonical enough for a cache key: the same factory builds the same object literal. The
  // caller trust store is part of the configuration: servers trusting different issuers must
  // not share a presentation.
  const trustJson = callerTrust === undefined ? '' : callerTrust.toJson()
  const id = `${did}\n${JSON.stringify(coreOptions)}\n${trustJson}`
  let p = presentations.get(id)
  if (p === undefined) {
    p = new ServerPresentation(key, coreOptions as ServerOptions)
    if (callerTrust !== undefined) p.setCallerTrust(callerTrust)
    presentations.set(id, p)
  }
  const presentation = p
  let notifyToolsChanged: (() => unknown) | undefined
  // The caller of each request in flight, for the tool handler (keyed by the SDK's context object).
  const callers = new WeakMap<object, CallerInfo | null>()
  // One key per attached server instance: an SDK server object serves one stdio connection.
  const connection = `${++connections}`
  const clientKeyOf = (context: unknown): string => {
    const custom = clientKey?.(context)
    return typeof custom === 'string' && custom !== '' ? custom : defaultClientKey(context, connection)
  }
  return {
    did,
    kid: presentation.kid,
    presentation,
    httpHeaders: () => presentation.httpHeaders(),
    async challenge(params, context, toError) {
      const client = clientKeyOf(context)
      let answer: ChallengeAnswer
      if (replayStore === undefined) {
        answer = presentation.answerChallenge(params, client)
      } else {
        const admitted = presentation.admitChallenge(params, client)
        // A store that throws is not the client's fault and must not lead to an answer: the
        // rejection reaches the SDK, which answers Internal error (-32603).
        answer = 'error' in admitted ? admitted : presentation.completeChallenge(admitted.storeKey, (await replayStore.insertIfAbsent(admitted.storeKey, admitted.expiresAt)) === true)
      }
      if ('error' in answer) throw toError(answer.error.code, answer.error.message, answer.error.data as unknown as JsonObject)
      return answer.result
    },
    sign(result, request) {
      const cursor = asObject(asObject(request)?.params)?.cursor
      return presentation.servedToolsList(result, { cursor: typeof cursor === 'string' ? cursor : undefined })
    },
    setToolTrustLevel(name, level) {
      presentation.setToolTrustLevel(name, level)
      // Only a connection that is still open can be told; a closed one lists afresh anyway.
      try {
        void Promise.resolve(notifyToolsChanged?.()).catch(() => undefined)
      } catch {
        // not connected
      }
    },
    callerOf(context) {
      return context !== null && typeof context === 'object' ? (callers.get(context) ?? null) : null
    },
    onConnected(notify) {
      notifyToolsChanged = notify
    },
    async call(params, context, header, run, toError) {
      const log = evidenceLog?.log
      // An exception from the gate or the log (e.g. `server_error`: the log cannot record)
      // propagates: the SDK answers with an error and the tool does not run unrecorded.
      let admission = presentation.admitCall(params, { client: clientKeyOf(context), header: header ?? null, log })
      if (admission.run && replayStore !== undefined && typeof admission.ticket.replayKey === 'string') {
        // Replicas share the store: a proof another replica admitted is a replay. A store
        // that throws propagates (the call fails closed, as a challenge does).
        const inserted = await replayStore.insertIfAbsent(admission.ticket.replayKey, admission.ticket.expiresAt as number)
        admission = presentation.completeAdmission(admission.ticket, inserted === true, { log })
      }
      if (!admission.run) {
        evidenceLog?.write(admission.writes)
        const { code, message, data } = admission.error
        throw toError(code, message, data)
      }
      if (context !== null && typeof context === 'object') callers.set(context, admission.caller)
      let outcome: { result: unknown } | { error: { code: number; data?: unknown } }
      let failure: { error: unknown } | undefined
      try {
        outcome = { result: await run() }
      } catch (e) {
        // The code the SDK answers with: a JSON-RPC error's own, anything else Internal error.
        const rpc = jsonRpcError(e)
        outcome = { error: rpc === undefined ? { code: -32603 } : { code: rpc.code, data: rpc.data } }
        failure = { error: e }
      } finally {
        if (context !== null && typeof context === 'object') callers.delete(context)
      }
      evidenceLog?.write(presentation.completeCall(admission.ticket, outcome, { log }))
      if (failure !== undefined) throw failure.error
      return (outcome as { result: unknown }).result
    },
  }
}

/**
 * The value of the `MCP-Attest-Caller` request header from the SDK's view of the HTTP request
 * headers: a Fetch `Headers` (SDK 2.x) or Node's header record (SDK 1.x). A repeated header
 * arrives joined with `, ` as Node joins it, for the core to refuse. @internal
 */
export function callerHeader(headers: unknown): string | undefined {
  if (headers === null || typeof headers !== 'object') return undefined
  const get = (headers as { get?: unknown }).get
  if (typeof get === 'function') {
    const v: unknown = get.call(headers, CALLER_HTTP_HEADER)
    return typeof v === 'string' ? v : undefined
  }
  const wanted = CALLER_HTTP_HEADER.toLowerCase()
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() !== wanted) continue
    if (typeof v === 'string') return v
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v.join(', ')
  }
  return undefined
}

// ---------------------------------------------------------------------------------------------
// Client

/** An event from `verifyServer` / `watchServer` (method names, codes and verdicts; never keys, tokens or nonces). */
export type IdentityEvent =
  | { type: 'request'; method: string }
  | { type: 'error'; method: string; code: number; reason: string | null }
  | { type: 'report'; verified: boolean; code: string | null; did: string | null; pin: string | null }

/**
 * Options of `verifyServer`: the core's client policy (same names and defaults as Python's
 * `verify_server`) plus the trust store it reads and updates and the host's SDK plumbing.
 */
export interface VerifyServerOptions extends ClientPolicy {
  /** Pins, trusted issuers, revocation lists and the tools accepted per server; updated in place (requires `serverId`). */
  trustStore?: TrustStore
  /** Request options passed to the SDK (timeout, signal). */
  requestOptions?: JsonObject
  /** Called for each request, JSON-RPC error and the final report. */
  onEvent?: (event: IdentityEvent) => void
  /**
   * Resolves the TXT records of a name for the `domain` check (each record as its strings;
   * throw when resolution fails, return `[]` for no records). Default: `resolveTxt` of
   * `node:dns/promises`; where there is none (a browser) the check is `unchecked`. A host can
   * pass a DNS-over-HTTPS lookup here.
   */
  resolveTxt?: (name: string) => Promise<string[][]>
}

function asObject(v: unknown): JsonObject | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as JsonObject) : undefined
}

/** @internal */
export function checkClient(client: SdkClient, shape: (m: string) => Error = (m) => new SdkShapeError(m)): void {
  if (client === null || typeof client !== 'object' || typeof client.request !== 'function') throw shape('Client.request is not a function')
}

/** A JSON-RPC error answer of either SDK line (1.x McpError, 2.x ProtocolError): an Error with a numeric code. */
function jsonRpcError(e: unknown): { code: number; message: string; data: unknown } | undefined {
  if (!(e instanceof Error) || typeof (e as { code?: unknown }).code !== 'number') return undefined
  return { code: (e as unknown as { code: number }).code, message: e.message, data: (e as { data?: unknown }).data }
}

/** One run of the core session over the SDK client; the raw `tools/list` pages are kept for {@link verifiedTools}. @internal */
export async function runSession(client: SdkClient, options: VerifyServerOptions | undefined): Promise<{ report: ServerReport; pages: unknown[] }> {
  if (options !== undefined && (options === null || typeof options !== 'object')) throw errorFor('invalid_policy', 'verifyServer: options must be an object')
  const { trustStore, requestOptions, onEvent, resolveTxt, ...policy } = options ?? {}
  if (onEvent !== undefined && typeof onEvent !== 'function') throw errorFor('invalid_policy', 'verifyServer: onEvent must be a function')
  if (resolveTxt !== undefined && typeof resolveTxt !== 'function') throw errorFor('invalid_policy', 'verifyServer: resolveTxt must be a function')
  const emit = (e: IdentityEvent): void => onEvent?.(e)
  const session = new ClientSession(policy, { trustStore })
  // Taken before the first request, as the SDK's own listTools() does: a list_changed that
  // lands during the session then keeps the listing out of the SDK 2.x cache.
  const generation = listingGeneration(client)
  try {
    const run = await drive(client, session, emit, resolveTxt, requestOptions)
    await absorbListing(client, run.pages, generation)
    return run
  } finally {
    // The session holds every page in wasm memory: free it now, not at garbage collection
    // (a 1,000-tool verification otherwise leaves megabytes for the collector to find).
    session[Symbol.dispose]()
  }
}

async function drive(
  client: SdkClient,
  session: ClientSession,
  emit: (e: IdentityEvent) => void,
  resolveTxt: VerifyServerOptions['resolveTxt'],
  requestOptions: JsonObject | undefined,
): Promise<{ report: ServerReport; pages: unknown[] }> {
  const pages: unknown[] = []
  for (let r = session.nextRequest(); r !== null; r = session.nextRequest()) {
    emit({ type: 'request', method: r.method })
    if (r.method === METHOD_DNS_TXT) {
      // Answered here, never sent to the MCP server: the server must not vouch for its own domain.
      const answer = await txtRecords(r.params?.name, resolveTxt)
      if ('records' in answer) {
        session.receiveResult(answer)
      } else {
        emit({ type: 'error', method: r.method, code: -32603, reason: null })
        session.receiveError(-32603, answer.error)
      }
      continue
    }
    let result: unknown
    try {
      result = await client.request({ method: r.method, params: r.params }, loose, requestOptions)
    } catch (e) {
      // Only the peer's JSON-RPC error is evidence about the server; anything else (a local
      // SDK error such as 2.x's timeout, a bug) is the caller's to see, never a verdict.
      const rpc = jsonRpcError(e)
      if (rpc === undefined) throw e
      const reason = asObject(rpc.data)?.reason
      emit({ type: 'error', method: r.method, code: rpc.code, reason: typeof reason === 'string' ? reason : null })
      session.receiveError(rpc.code, rpc.message, rpc.data)
      continue
    }
    if (r.method === 'tools/list') pages.push(result)
    session.receiveResult(result)
  }
  session.saveTrustStore()
  const report = session.report!
  emit({ type: 'report', verified: report.verified, code: report.code, did: report.server?.did ?? null, pin: report.pin })
  return { report, pages }
}

/** The SDK 2.x client's response cache, as far as {@link absorbListing} uses it (private API). */
interface ResponseCache {
  captureGeneration(method: string): unknown
  write(method: string, value: unknown, generation: unknown, freshness: unknown): Promise<void>
}

function responseCache(client: SdkClient): { cache: ResponseCache; freshness: (result: unknown) => unknown } | undefined {
  const c = client as { _cache?: Partial<ResponseCache>; _freshness?: unknown }
  const cache = c._cache
  if (typeof cache?.captureGeneration !== 'function' || typeof cache.write !== 'function' || typeof c._freshness !== 'function') return undefined
  const freshness = c._freshness as (result: unknown) => unknown
  return { cache: cache as ResponseCache, freshness: (r) => freshness.call(client, r) }
}

function listingGeneration(client: SdkClient): unknown {
  return responseCache(client)?.cache.captureGeneration('tools/list')
}

/**
 * Hands the listed tools to the SDK client, as its own `listTools()` would have. The session
 * lists tools with a raw request (the signatures cover the raw definitions), and both SDK
 * lines' `callTool` validate structured output only for tools the client has listed itself:
 * SDK 1.x from `cacheToolMetadata` (which also holds the tools that may only run as tasks),
 * SDK 2.x from the `tools/list` document in its response cache. Without this, a client that
 * takes its tools from `verifiedTools` would call them unvalidated (the Python adapter does the
 * same, `_absorb_listing`). A refusal by the SDK (what its own `listTools()` would have thrown)
 * leaves the verdict as it is.
 */
async function absorbListing(client: SdkClient, pages: unknown[], generation: unknown): Promise<void> {
  if (pages.length === 0) return
  const tools = pages.flatMap((p) => {
    const listed = asObject(p)?.tools
    return Array.isArray(listed) ? listed.filter((t) => typeof asObject(t)?.name === 'string') : []
  })
  try {
    const cacheToolMetadata = (client as { cacheToolMetadata?: unknown }).cacheToolMetadata
    if (typeof cacheToolMetadata === 'function') {
      const cacheTools = cacheToolMetadata as (this: SdkClient, tools: unknown[]) => void
      cacheTools.call(client, tools)
      return
    }
    const held = responseCache(client)
    if (held === undefined) return
    // One document for every page, as the SDK 2.x client aggregates a paginated listing.
    const listing: JsonObject = { ...asObject(pages[0]), tools }
    delete listing.nextCursor
    const exclude = (client as { _excludeInvalidXMcpHeaderTools?: unknown })._excludeInvalidXMcpHeaderTools
    if (typeof exclude === 'function') (exclude as (this: SdkClient, r: unknown) => void).call(client, listing)
    await held.cache.write('tools/list', listing, generation, held.freshness(listing))
  } catch {
    // The verification stands either way.
  }
}

/** The session's request for the TXT records of `_mcp-identity.<domain>` (answered by the host). */
const METHOD_DNS_TXT = 'dns/txt'
// A specifier bundlers do not follow: a browser build of the adapter must not pull in node:dns.
const NODE_DNS = ['node:dns', 'promises'].join('/')

/** Node's resolver answers these when the name has no TXT data: no records, not a failure. */
const NO_RECORDS = new Set(['ENODATA', 'ENOTFOUND'])

async function txtRecords(name: unknown, resolve: ((name: string) => Promise<string[][]>) | undefined): Promise<{ records: string[] } | { error: string }> {
  if (typeof name !== 'string') return { error: 'dns/txt: the request names no domain' }
  let lookup = resolve
  if (lookup === undefined) {
    try {
      type Dns = { resolveTxt?: (n: string) => Promise<string[][]> }
      const mod = (await import(/* @vite-ignore */ /* webpackIgnore: true */ NODE_DNS)) as Dns & { default?: Dns }
      // The module object, not the ESM named export: the host's dns.setServers(…) replaces the
      // default resolver there, while the named binding stays on the first one.
      const dns = mod.default ?? mod
      if (typeof dns.resolveTxt !== 'function') return { error: 'no DNS resolver in this runtime' }
      lookup = dns.resolveTxt.bind(dns)
    } catch {
      return { error: 'no DNS resolver in this runtime' }
    }
  }
  try {
    const rows = await lookup(name)
    if (!Array.isArray(rows)) return { error: 'the DNS resolver answered something that is not a list of records' }
    // A TXT record of several strings is one record: its strings joined (RFC 7208 §3.3).
    return { records: rows.map((r) => (Array.isArray(r) ? r.join('') : String(r))) }
  } catch (e) {
    const code = (e as { code?: unknown })?.code
    if (typeof code === 'string' && NO_RECORDS.has(code)) return { records: [] }
    return { error: `DNS lookup of ${name} failed${typeof code === 'string' ? ` (${code})` : ''}` }
  }
}

/** The raw tools of `pages` that `report` says are verified (none when the server is not). @internal */
export function toolsOf(report: ServerReport, pages: unknown[]): JsonObject[] {
  // Names are unique among verified tools: the core marks a repeated name `duplicate`.
  const ok = new Set(report.tools.filter((t) => t.status === 'verified' && t.name !== null).map((t) => t.name))
  const raw = pages.flatMap((p) => {
    const tools = asObject(p)?.tools
    return Array.isArray(tools) ? tools : []
  })
  return raw.filter((t): t is JsonObject => asObject(t) !== undefined && typeof t.name === 'string' && ok.has(t.name))
}

/**
 * Throws the report's failure as an `McpAttestError` (the subclass for its code) when the
 * server is not verified; returns the report otherwise.
 */
export function requireVerified(report: ServerReport): ServerReport {
  if (report?.verified === true) return report
  throw errorFor(report?.code ?? 'server_error', report?.message ?? 'the server is not verified')
}

/** A watcher from `watchServer`. */
export interface ServerWatch {
  /** The latest report. */
  readonly current: ServerReport
  /** Re-verifies now. */
  refresh(): Promise<ServerReport>
  /** Stops reacting to change notifications (and closes a `subscriptions/listen` stream). */
  stop(): Promise<void>
}

/**
 * The SDK-independent part of `watchServer`: `install(handler)` makes `handler` run on every
 * `notifications/tools/list_changed` and returns how to stop listening. @internal
 */
export async function watchWith(
  client: SdkClient,
  options: VerifyServerOptions,
  onChange: ((report: ServerReport) => void) | undefined,
  install: (handler: () => Promise<void>) => Promise<(() => Promise<void>) | undefined>,
): Promise<ServerWatch> {
  // The trust store is where accepted tools are remembered: without one a rug pull would pass.
  if (!(options?.trustStore instanceof TrustStore)) throw errorFor('invalid_policy', 'watchServer: options.trustStore is required (it remembers the tools accepted)')
  let current = (await runSession(client, options)).report
  let stopped = false
  let chain: Promise<unknown> = Promise.resolve()
  // Notifications can arrive faster than a verification runs: one at a time, in order.
  const refresh = (): Promise<ServerReport> => {
    const next = chain.then(async () => (current = (await runSession(client, options)).report))
    chain = next.catch(() => undefined)
    return next
  }
  const close = await install(async () => {
    if (stopped) return
    const r = await refresh()
    onChange?.(r)
  })
  return {
    get current() {
      return current
    },
    refresh,
    async stop() {
      stopped = true
      await close?.()
    },
  }
}

// ---------------------------------------------------------------------------------------------
// Client: the caller's identity on every tools/call

/** Options of `attachCallerIdentity`. */
export interface AttachCallerOptions {
  /**
   * The client's key: a `SigningKey` or a `Signer`. Without one the client stays anonymous
   * (level 0) and still refuses, before sending, a tool the report says needs more.
   */
  key?: SigningKey | Signer
  /** A passport for the client's key from an issuer the server may trust (compact JWS). */
  passport?: string
  /** The server's report from `verifyServer`: its DID is each proof's audience, its tools' `requiredLevel` the guard. */
  report: ServerReport
}

/** What `attachCallerIdentity` returns. */
export interface AttachedCaller {
  /** The client's did:key (`null` without a key). */
  did: string | null
}

const CALLER_STATE = Symbol.for('mcp-attest.caller')

interface CallerState {
  context: CallerContext
}

/**
 * Makes every `tools/call` `client` sends (`callTool` or `request`) go through the core's
 * `prepareCall`: a proof of possession bound to the request and `report.server.did` (and the
 * passport) in `_meta`, or a local `insufficient_trust_level` refusal with nothing sent.
 * Attaching again replaces the options. @internal
 */
export function attachCaller(client: SdkClient, options: AttachCallerOptions): AttachedCaller {
  if (options === null || typeof options !== 'object') throw errorFor('invalid_policy', 'attachCallerIdentity: options must be an object with a report')
  const { key, passport, report } = options
  if (report === null || typeof report !== 'object') throw errorFor('invalid_policy', 'attachCallerIdentity: options.report must be the ServerReport of verifyServer')
  if (key !== undefined && !(key instanceof SigningKey) && !isSigner(key)) {
    throw errorFor('invalid_key', 'attachCallerIdentity: options.key must be a SigningKey or a Signer ({ publicKey, sign(data) })')
  }
  if (passport !== undefined && typeof passport !== 'string') throw errorFor('invalid_policy', 'attachCallerIdentity: options.passport must be a compact JWS string')
  const did = key === undefined ? null : key instanceof SigningKey ? key.verifyingKey().toDidKey() : signerDid(key)
  // The report is read once here, not on every call (a 1,000-tool report costs 3 ms to read).
  const previous = (client as { [CALLER_STATE]?: CallerState })[CALLER_STATE]
  previous?.context[Symbol.dispose]()
  const state: CallerState = { context: new CallerContext({ key, passport, report }) }
  const c = client as SdkClient & { [CALLER_STATE]?: CallerState }
  if (c[CALLER_STATE] === undefined) {
    const send = c.request
    c.request = function (this: unknown, request: { method: string; params?: JsonObject }, ...rest: unknown[]) {
      const s = c[CALLER_STATE]
      if (s === undefined || request?.method !== 'tools/call') return send.call(this ?? c, request, ...(rest as [unknown, unknown]))
      let params: JsonObject
      try {
        params = s.context.prepare(request.params ?? {}).params
      } catch (e) {
        return Promise.reject(e)
      }
      return send.call(this ?? c, { ...request, params }, ...(rest as [unknown, unknown]))
    }
  }
  Object.defineProperty(c, CALLER_STATE, { value: state, configurable: true, enumerable: false, writable: true })
  return { did }
}

/**
 * A `fetch` for the SDK's Streamable HTTP client transport that copies the caller proof of an
 * outgoing `tools/call` (`params._meta["org.mcp-attest/caller"].proof`, set by
 * `attachCallerIdentity`) into the `MCP-Attest-Caller` header, so that a proxy that drops
 * `_meta` does not drop the caller's identity. Every other request passes unchanged.
 *
 * @example
 * ```ts
 * const transport = new StreamableHTTPClientTransport(new URL(url), { fetch: callerFetch() })
 * ```
 */
export function callerFetch(fetchImpl?: typeof fetch): typeof fetch {
  if (fetchImpl !== undefined && typeof fetchImpl !== 'function') throw errorFor('invalid_policy', 'callerFetch: fetchImpl must be a fetch function')
  return (async (input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) => {
    const f = fetchImpl ?? globalThis.fetch
    const proof = typeof init?.body === 'string' ? proofOf(init.body) : undefined
    if (proof === undefined) return f(input, init)
    const headers = new Headers(init?.headers)
    headers.set(CALLER_HTTP_HEADER, proof)
    return f(input, { ...init, headers })
  }) as typeof fetch
}

/** The caller proof of a JSON-RPC `tools/call` request body, if it carries one. */
function proofOf(body: string): string | undefined {
  // Cheap test first: most bodies are not tools/call.
  if (!body.includes('"tools/call"')) return undefined
  let msg: unknown
  try {
    msg = JSON.parse(body)
  } catch {
    return undefined
  }
  const m = asObject(msg)
  if (m?.method !== 'tools/call') return undefined
  const proof = asObject(asObject(asObject(m.params)?._meta)?.[CALLER_META_KEY])?.proof
  return typeof proof === 'string' ? proof : undefined
}

export { TrustStore, RedisReplayStore, type ReplayStore, type ServerReport, type ClientPolicy, type CallerInfo }
