/**
 * `mcp-attest/mcp/v2`: identity for servers and clients of the split MCP TypeScript SDK 2.x
 * (`@modelcontextprotocol/server` and `@modelcontextprotocol/client`, optional peer
 * dependencies of this package). The SDK 1.x adapter is `mcp-attest/mcp`; both are thin layers
 * over the core's `ServerPresentation` and `ClientSession`, through one shared module.
 *
 * Server: {@link attachIdentity} hands every `tools/list` result to the presentation to sign,
 * serves `identity/get` and `identity/challenge`, advertises the capabilities (`experimental`
 * and `extensions`) and adds the DID and kid to the 2026-era `server/discover` result `_meta`;
 * every `tools/call` goes through the core's gate (caller proof, required level, evidence).
 *
 * Client: {@link verifyServer} runs the core session and returns its `ServerReport`;
 * {@link verifiedTools} returns only the raw tools the report verified; {@link watchServer}
 * re-verifies after `notifications/tools/list_changed` (on 2026-era connections it opens a
 * `subscriptions/listen` stream, the only way that notification arrives there);
 * {@link attachCallerIdentity} attaches the client's proof to every `tools/call`.
 *
 * @example
 * ```ts
 * import { McpServer } from '@modelcontextprotocol/server'
 * import { serveStdio } from '@modelcontextprotocol/server/stdio'
 * import { loadOrCreateKey } from 'mcp-attest/fs'
 * import { attachIdentity, verifyServer } from 'mcp-attest/mcp/v2'
 *
 * const key = loadOrCreateKey({ path: '/var/lib/weather/server-key.pem' }) // the same key on every start
 * serveStdio(() => {
 *   const server = new McpServer({ name: 'weather', version: '1.0.0' })
 *   server.registerTool(…)
 *   attachIdentity(server, { key })
 *   return server
 * })
 *
 * const report = await verifyServer(client, { serverId: 'weather', trustStore })
 * ```
 *
 * @module
 */
import { z } from 'zod'
import type { JsonObject, ServerReport } from '../index.js'
import {
  IDENTITY_KEY,
  SdkShapeError,
  METHOD_CHALLENGE,
  METHOD_GET,
  attachCaller,
  callerHeader,
  checkClient as check,
  identityCore,
  runSession,
  toolsOf,
  watchWith,
  type AttachCallerOptions,
  type AttachedCaller,
  type AttachIdentityOptions,
  type AttachedIdentity,
  type ServerWatch,
  type VerifyServerOptions,
} from '../mcp/shared.js'

export {
  CALLER_HTTP_HEADER,
  CALLER_META_KEY,
  callerFetch,
  type AttachCallerOptions,
  type AttachedCaller,
  type CallerInfo,
  type EvidenceSink,
  IDENTITY_KEY,
  SERVER_IDENTITY_KEY,
  METHOD_GET,
  METHOD_CHALLENGE,
  IDENTITY_HEADER,
  SdkShapeError,
  TrustStore,
  RedisReplayStore,
  requireVerified,
  type AttachIdentityOptions,
  type AttachedIdentity,
  type IdentityEvent,
  type ReplayStore,
  type ServerReport,
  type ServerWatch,
  type VerifyServerOptions,
} from '../mcp/shared.js'

const ADAPTER = 'mcp-attest/mcp/v2'
const SUPPORTS = '@modelcontextprotocol/server and @modelcontextprotocol/client 2.x'
const shapeError = (message: string): SdkShapeError => new SdkShapeError(message, ADAPTER, SUPPORTS)

// ---------------------------------------------------------------------------------------------
// Structural views of the SDK 2.x objects (no type import, so the peers stay optional).

type Handler = (request: any, ctx: any) => unknown
/** The low-level 2.x `Server` as this adapter uses it (string method names). */
interface V2LowLevelServer {
  setRequestHandler(method: string, schemasOrHandler: unknown, handler?: Handler): void
  registerCapabilities(capabilities: JsonObject): void
  connect(transport: unknown): Promise<void>
}
/** The protected/private members feature-checked at run time (not part of the public types). */
interface V2Private {
  _getRequestHandler?: (method: string) => Handler | undefined
  _ondiscover?: () => JsonObject
  _serverInfo?: { name?: string; version?: string }
}
/** An SDK 2.x `McpServer` or low-level `Server` (from `@modelcontextprotocol/server`). */
export type SdkServer = { server: V2LowLevelServer; connect(transport: unknown): Promise<void> } | V2LowLevelServer
/** An SDK 2.x `Client` (from `@modelcontextprotocol/client`), connected. */
export interface SdkClient {
  request(request: { method: string; params?: JsonObject }, resultSchema: unknown, options?: unknown): Promise<any>
  setNotificationHandler(method: string, handler: (n: any) => unknown): void
  /** The connection's protocol era (`modern` = 2026-07-28+). */
  getProtocolEra?(): 'legacy' | 'modern' | undefined
  /** Opens a `subscriptions/listen` stream (2026-era connections only). */
  listen?(filter: { toolsListChanged?: boolean }, options?: unknown): Promise<{ close(): Promise<void> }>
}

const anyParams = z.object({}).passthrough()
const anyResult = z.object({}).passthrough()

// ---------------------------------------------------------------------------------------------
// Server

function lowLevel(server: SdkServer): { low: V2LowLevelServer & V2Private; outer: object } {
  if (server === null || typeof server !== 'object') throw shapeError('attachIdentity: server is not an McpServer or Server')
  const maybe = (server as { server?: unknown }).server
  const low = (maybe !== null && typeof maybe === 'object' && typeof (maybe as V2LowLevelServer).setRequestHandler === 'function' ? maybe : server) as V2LowLevelServer & V2Private
  for (const m of ['setRequestHandler', 'registerCapabilities', 'connect'] as const) {
    if (typeof low[m] !== 'function') throw shapeError(`Server.${m} is not a function`)
  }
  if (typeof low._getRequestHandler !== 'function') throw shapeError('Server._getRequestHandler is not a function')
  if (typeof low._ondiscover !== 'function') throw shapeError('Server._ondiscover is not a function')
  return { low, outer: server }
}

/** A JSON-RPC error the 2.x server sends as is (it reads `code`, `message` and `data`). */
function rpcError(code: number, message: string, data: JsonObject): Error {
  return Object.assign(new Error(message), { code, data })
}

/** The `MCP-Attest-Caller` header of the HTTP request behind `ctx` (a Fetch `Request`; Streamable HTTP only). */
function headerOf(ctx: unknown): string | undefined {
  const req = (ctx as { http?: { req?: { headers?: unknown } } } | null | undefined)?.http?.req
  return callerHeader(req?.headers)
}

/**
 * Attaches an identity to an SDK 2.x `McpServer` or `Server`. Call it before the server is
 * connected — inside the `serveStdio` / `createMcpHandler` factory, or before `connect`. A
 * factory may build a new key object per request: every server of the same key and options
 * shares one presentation (one replay cache). `tools/list` is wrapped now if the server already
 * has its handler, and again when it connects, so tools registered before or after this call
 * are all signed when listed, each page with the cursor it answers.
 *
 * @throws SdkShapeError when `server` is not an SDK 2.x server or its protected seams
 * (`_getRequestHandler`, `_ondiscover`) are missing.
 * @throws McpAttestError `invalid_key`, `invalid_policy`.
 */
export function attachIdentity(server: SdkServer, options: AttachIdentityOptions): AttachedIdentity {
  const { low, outer } = lowLevel(server)
  const id = identityCore(options, low._serverInfo)

  low.registerCapabilities(id.presentation.capabilities())

  // identity/get and identity/challenge: custom methods need a {params, result} schema bundle.
  low.setRequestHandler(METHOD_GET, { params: anyParams, result: anyResult }, () => id.presentation.identityGet())
  low.setRequestHandler(METHOD_CHALLENGE, { params: anyParams, result: anyResult }, (params: JsonObject, ctx: unknown) => id.challenge(params ?? {}, ctx, rpcError))

  // tools/list and tools/call: wrap the SDK's handlers (read through the protected accessor).
  const setRequestHandler = low.setRequestHandler.bind(low)
  const installed = new Map<string, unknown>()
  const wrap = (method: string, make: (inner: Handler) => Handler): void => {
    const orig = low._getRequestHandler!(method)
    if (orig === undefined || orig === installed.get(method)) return // no tools, or already wrapped
    if (typeof orig !== 'function') throw shapeError(`the ${method} handler is not a function`)
    // The 2-argument form hands the handler the whole request (`request.params`).
    setRequestHandler(method, make(orig))
    installed.set(method, low._getRequestHandler!(method))
  }
  const wrapTools = (): void => {
    if (low._getRequestHandler!('tools/list') === undefined) {
      // McpServer installs its tools handlers on the first registerTool.
      const install = (outer as { setToolRequestHandlers?: unknown }).setToolRequestHandlers
      if (typeof install === 'function') install.call(outer)
    }
    wrap('tools/list', (inner) => async (request, ctx) => id.sign(await inner(request, ctx), request))
    wrap('tools/call', (inner) => (request, ctx) => id.call(request?.params, ctx, headerOf(ctx), async () => inner(request, ctx), rpcError))
  }
  if (low._getRequestHandler!('tools/list') !== undefined) wrapTools()
  const connect = low.connect.bind(low)
  let connected = false
  low.connect = async (transport: unknown) => {
    wrapTools()
    connected = true
    const r = await connect(transport)
    const notifier = (typeof (outer as { sendToolListChanged?: unknown }).sendToolListChanged === 'function' ? outer : low) as { sendToolListChanged?: () => unknown }
    id.onConnected(() => notifier.sendToolListChanged?.())
    return r
  }
  // A handler set after connect is wrapped too: a late tools/call handler must not run
  // unguarded and unrecorded.
  low.setRequestHandler = (method: string, schemasOrHandler: unknown, handler?: Handler) => {
    setRequestHandler(method, schemasOrHandler, handler)
    if (connected) wrapTools()
  }

  // server/discover (2026 era): the serving entries re-install its handler after the factory
  // returns, so the instance method is patched instead. Merge into _meta, never replace it.
  const discover = low._ondiscover!.bind(low)
  low._ondiscover = () => {
    const r = discover() ?? {}
    const meta = (r._meta as JsonObject | undefined) ?? {}
    const mine = { ...((meta[IDENTITY_KEY] as JsonObject | undefined) ?? {}), did: id.did, kid: id.kid }
    return { ...r, _meta: { ...meta, [IDENTITY_KEY]: mine } }
  }
  return { did: id.did, kid: id.kid, presentation: id.presentation, httpHeaders: id.httpHeaders, setToolTrustLevel: id.setToolTrustLevel, callerOf: id.callerOf }
}

// ---------------------------------------------------------------------------------------------
// Client

const checkClient = (client: SdkClient): void => check(client as never, shapeError)

/**
 * Attaches the client's identity to every `tools/call` it sends from now on — the same as
 * `mcp-attest/mcp`'s `attachCallerIdentity`: a proof bound to the request and
 * `report.server.did` in `_meta`, or a local `insufficient_trust_level` refusal with nothing
 * sent. Over Streamable HTTP pass {@link callerFetch} to the transport for the header.
 *
 * @example
 * ```ts
 * const client = new Client(info)
 * await client.connect(new StreamableHTTPClientTransport(new URL(url), { fetch: callerFetch() }))
 * attachCallerIdentity(client, { key, report: await verifyServer(client, { expectedKey }) })
 * ```
 *
 * @throws SdkShapeError for a client that is not an SDK 2.x `Client`.
 * @throws McpAttestError `invalid_key`, `invalid_policy`.
 */
export function attachCallerIdentity(client: SdkClient, options: AttachCallerOptions): AttachedCaller {
  checkClient(client)
  return attachCaller(client as never, options)
}

/**
 * Verifies a connected SDK 2.x client's server — the same core session, options and report as
 * `mcp-attest/mcp`'s `verifyServer`. Never throws for what the server sends; the SDK's local
 * errors (`SdkError`: timeout, connection closed) are rethrown, not filed as verdicts.
 *
 * @throws SdkShapeError for a client that is not an SDK 2.x `Client`.
 */
export async function verifyServer(client: SdkClient, options?: VerifyServerOptions): Promise<ServerReport> {
  checkClient(client)
  return (await runSession(client as never, options)).report
}

/**
 * The raw `Tool` objects the report verified (none when the server is unverified). The listing
 * also reaches the SDK client's response cache as its own `listTools()` would put it there, so
 * `client.callTool` validates structured output against these tools' schemas.
 */
export async function verifiedTools(client: SdkClient, options?: VerifyServerOptions): Promise<JsonObject[]> {
  checkClient(client)
  const { report, pages } = await runSession(client as never, options)
  return toolsOf(report, pages)
}

/**
 * Verifies the server, then re-verifies it on every `notifications/tools/list_changed` and
 * hands each new report to `onChange`; `options.trustStore` (with `serverId`) remembers the
 * tools accepted, so a changed tool is reported `changed`. On a 2026-era connection the
 * notification only arrives on a `subscriptions/listen` stream, which this opens (and
 * `stop()` closes); on a 2025-era one the server sends it unsolicited. A previously set
 * list_changed handler keeps being called.
 */
export async function watchServer(client: SdkClient, options: VerifyServerOptions, onChange?: (report: ServerReport) => void): Promise<ServerWatch> {
  checkClient(client)
  if (typeof client.setNotificationHandler !== 'function') throw shapeError('Client.setNotificationHandler is not a function')
  const method = 'notifications/tools/list_changed'
  return watchWith(client as never, options, onChange, async (handler) => {
    const handlers = (client as { _notificationHandlers?: Map<string, (n: unknown) => unknown> })._notificationHandlers
    const previous = handlers instanceof Map ? handlers.get(method) : undefined
    client.setNotificationHandler(method, async (n: unknown) => {
      if (previous) await previous(n)
      await handler()
    })
    // listen() throws on a 2025-era connection (the legacy unsolicited delivery applies there).
    if (typeof client.listen !== 'function' || client.getProtocolEra?.() !== 'modern') return undefined
    const sub = await client.listen({ toolsListChanged: true })
    return () => sub.close()
  })
}
