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
  ClientSession,
  McpAttestError,
  RedisReplayStore,
  ServerPresentation,
  SigningKey,
  TrustStore,
  VerifyingKey,
  errorFor,
  type Signer,
  type ChallengeAnswer,
  type ClientPolicy,
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
   * A store of answered challenge nonces shared by the replicas of this server (e.g.
   * `RedisReplayStore`), so that an answer cannot be replayed against another replica.
   * Default: none (the presentation's in-memory cache alone).
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
}

/** The SDK-independent server side (used by every adapter). @internal */
export interface IdentityCore extends AttachedIdentity {
  /** The `identity/challenge` result; a refused challenge throws `toError(code, message, data)`. */
  challenge(params: unknown, context: unknown, toError: (code: number, message: string, data: JsonObject) => Error): Promise<JsonObject>
  /** Signs one `tools/list` result; `request` is the SDK's request (its `params.cursor`). */
  sign(result: unknown, request: unknown): JsonObject
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
  const { key, replayStore, clientKey, ...rest } = options
  if (!(key instanceof SigningKey) && !isSigner(key)) {
    throw errorFor('invalid_key', 'attachIdentity: options.key must be a SigningKey (loadOrCreateKey, or SigningKey.from…) or a Signer ({ publicKey, sign(data) })')
  }
  if (clientKey !== undefined && typeof clientKey !== 'function') throw errorFor('invalid_policy', 'attachIdentity: options.clientKey must be a function')
  if (replayStore !== undefined && typeof (replayStore as { insertIfAbsent?: unknown })?.insertIfAbsent !== 'function') {
    throw errorFor('invalid_policy', 'attachIdentity: options.replayStore must have insertIfAbsent(key, expiresAt)')
  }
  for (const taken of ['name', 'version']) {
    // The SDK server already has them; a second source could only disagree.
    if (taken in rest) throw errorFor('invalid_policy', `attachIdentity: the ${taken} comes from the SDK server object, not from options`)
  }
  const coreOptions = { ...rest, name: serverInfo?.name, version: serverInfo?.version }
  const did = key instanceof SigningKey ? key.verifyingKey().toDidKey() : signerDid(key)
  // Canonical enough for a cache key: the same factory builds the same object literal.
  const id = `${did}\n${JSON.stringify(coreOptions)}`
  let p = presentations.get(id)
  if (p === undefined) {
    p = new ServerPresentation(key, coreOptions as ServerOptions)
    presentations.set(id, p)
  }
  const presentation = p
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
      return presentation.signToolsList(result, { cursor: typeof cursor === 'string' ? cursor : undefined })
    },
  }
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
  const { trustStore, requestOptions, onEvent, ...policy } = options ?? {}
  if (onEvent !== undefined && typeof onEvent !== 'function') throw errorFor('invalid_policy', 'verifyServer: onEvent must be a function')
  const emit = (e: IdentityEvent): void => onEvent?.(e)
  const session = new ClientSession(policy, { trustStore })
  const pages: unknown[] = []
  for (let r = session.nextRequest(); r !== null; r = session.nextRequest()) {
    emit({ type: 'request', method: r.method })
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

export { TrustStore, RedisReplayStore, type ReplayStore, type ServerReport, type ClientPolicy }
