/**
 * `mcp-attest/mcp`: identity for servers and clients of the official MCP TypeScript SDK 1.x
 * (`@modelcontextprotocol/sdk`, an optional peer dependency of this package).
 *
 * Server: {@link attachIdentity} hands every `tools/list` result to the core's
 * `ServerPresentation` to sign as it goes out, serves `identity/get` and `identity/challenge`
 * from it, and advertises its capabilities; every `tools/call` goes through the core's gate
 * (the caller's proof, the tool's required level, the evidence record) before its handler.
 *
 * Client: {@link verifyServer} runs the core's `ClientSession` over the SDK client and returns
 * its `ServerReport` (the same JSON as Python's `verify_server`); {@link verifiedTools} returns
 * only the raw tools the report verified; {@link watchServer} re-verifies after
 * `notifications/tools/list_changed`; {@link attachCallerIdentity} attaches the client's proof
 * of possession to every `tools/call` (and {@link callerFetch} copies it into the HTTP header).
 *
 * Every decision — order of checks, defaults, codes, the report — is the core's; this module
 * only moves JSON between SDK hooks and the core.
 *
 * @example
 * ```ts
 * import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
 * import { TrustStore } from 'mcp-attest'
 * import { loadOrCreateKey } from 'mcp-attest/fs'
 * import { attachIdentity, verifyServer, requireVerified } from 'mcp-attest/mcp'
 *
 * const server = new McpServer({ name: 'weather', version: '1.0.0' })
 * // The same key on every start (a new one is a new identity): see loadOrCreateKey.
 * attachIdentity(server, { key: loadOrCreateKey({ path: '/var/lib/weather/server-key.pem' }) })
 * // … registerTool(…), then server.connect(transport) as usual.
 *
 * const report = await verifyServer(client, { serverId: 'https://weather.example/mcp', trustStore })
 * requireVerified(report) // throws McpAttestError (by code) unless verified
 * ```
 *
 * @module
 */
import { z } from 'zod'
import { McpError } from '@modelcontextprotocol/sdk/types.js'
import type { JsonObject, ServerReport } from '../index.js'
import {
  SdkShapeError,
  METHOD_CHALLENGE,
  METHOD_GET,
  attachCaller,
  callerHeader,
  checkClient,
  identityCore,
  paramsSchema,
  runSession,
  toolsOf,
  watchWith,
  type AttachCallerOptions,
  type AttachedCaller,
  type AttachIdentityOptions,
  type AttachedIdentity,
  type SdkClient,
  type ServerWatch,
  type VerifyServerOptions,
} from './shared.js'

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
  type SdkClient,
  type ServerReport,
  type ServerWatch,
  type VerifyServerOptions,
} from './shared.js'

// ---------------------------------------------------------------------------------------------
// Structural views of the SDK objects (no type import, so the peer stays optional for types).

type Handler = (request: { method: string; params?: unknown }, extra: unknown) => Promise<unknown>
interface LowLevelServer {
  setRequestHandler(schema: unknown, handler: (request: any, extra: any) => unknown): void
  registerCapabilities(capabilities: JsonObject): void
  connect(transport: unknown): Promise<void>
}
/** The private members this adapter feature-checks at run time (not part of the public types). */
interface LowLevelPrivate {
  _requestHandlers?: Map<string, Handler>
  _serverInfo?: { name?: string; version?: string }
}
/** An SDK 1.x `McpServer` or low-level `Server`. */
export type SdkServer = { server: LowLevelServer; connect(transport: unknown): Promise<void> } | LowLevelServer

// ---------------------------------------------------------------------------------------------
// Server

function lowLevel(server: SdkServer): { low: LowLevelServer; outer: { connect(t: unknown): Promise<void> } } {
  if (server === null || typeof server !== 'object') throw new SdkShapeError('attachIdentity: server is not an McpServer or Server')
  const maybe = (server as { server?: unknown }).server
  const low = (maybe !== null && typeof maybe === 'object' && typeof (maybe as LowLevelServer).setRequestHandler === 'function' ? maybe : server) as LowLevelServer
  for (const m of ['setRequestHandler', 'registerCapabilities', 'connect'] as const) {
    if (typeof low[m] !== 'function') throw new SdkShapeError(`Server.${m} is not a function`)
  }
  if (!((low as LowLevelPrivate)._requestHandlers instanceof Map)) throw new SdkShapeError('Server._requestHandlers is not a Map')
  if (typeof (server as { connect?: unknown }).connect !== 'function') throw new SdkShapeError('connect is not a function')
  return { low, outer: server as { connect(t: unknown): Promise<void> } }
}

function rpcError(code: number, message: string, data: JsonObject): McpError {
  return new McpError(code, message, data)
}

/**
 * A refused `tools/call` as the SDK's JSON-RPC error with the core's message exactly: McpError
 * prefixes "MCP error <code>: ", and the SDK sends `error.message` as is.
 */
function callRefusal(code: number, message: string, data: JsonObject): McpError {
  const e = new McpError(code, message, data)
  e.message = message
  return e
}

/** The `MCP-Attest-Caller` header of the HTTP request behind `extra` (Streamable HTTP only). */
function headerOf(extra: unknown): string | undefined {
  const info = (extra as { requestInfo?: { headers?: unknown } } | null | undefined)?.requestInfo
  return callerHeader(info?.headers)
}

/**
 * Attaches an identity to an SDK 1.x `McpServer` or `Server`. Call it before `connect`. The
 * server's name and version are taken from the SDK object. `tools/list` is wrapped at connect
 * time (the SDK installs its own handler lazily), so tools registered before or after this call
 * — and after connect — are all signed when listed, each page with the cursor it answers.
 *
 * @throws SdkShapeError when `server` is not an SDK 1.x server or its private seams are missing.
 * @throws McpAttestError `invalid_key` (a key that is not a `SigningKey`), `invalid_policy`
 * (an unknown or wrongly typed option).
 */
export function attachIdentity(server: SdkServer, options: AttachIdentityOptions): AttachedIdentity {
  const { low, outer } = lowLevel(server)
  const id = identityCore(options, (low as LowLevelPrivate)._serverInfo)

  // Capabilities (before connect: the SDK refuses registerCapabilities afterwards).
  low.registerCapabilities(id.presentation.capabilities())

  low.setRequestHandler(z.object({ method: z.literal(METHOD_GET), params: paramsSchema }), () => id.presentation.identityGet())
  low.setRequestHandler(z.object({ method: z.literal(METHOD_CHALLENGE), params: paramsSchema }), (request: { params?: JsonObject }, extra: unknown) =>
    id.challenge(request.params ?? {}, extra, rpcError),
  )

  // tools/list, wrapped at connect time.
  const wrapToolsList = (): void => {
    const handlers = (low as LowLevelPrivate)._requestHandlers
    if (!(handlers instanceof Map)) throw new SdkShapeError('Server._requestHandlers is not a Map')
    if (!handlers.has('tools/list')) {
      // McpServer installs its tools handlers on the first registerTool; install them now so
      // tools registered after connect are signed too (a low-level Server without one has no tools).
      const install = (outer as { setToolRequestHandlers?: unknown }).setToolRequestHandlers
      if (typeof install === 'function') install.call(outer)
    }
    const wrap = (method: string, make: (orig: Handler) => Handler): void => {
      const orig = handlers.get(method)
      if (orig === undefined) return // a low-level Server without tools: nothing to sign or guard
      if ((orig as { __mcpAttest?: boolean }).__mcpAttest) return
      if (typeof orig !== 'function') throw new SdkShapeError(`the ${method} handler is not a function`)
      const wrapped = make(orig)
      ;(wrapped as { __mcpAttest?: boolean }).__mcpAttest = true
      handlers.set(method, wrapped)
    }
    wrap('tools/list', (orig) => async (request, extra) => id.sign(await orig(request, extra), request))
    // The raw request (params with `_meta` as received); the SDK's schema parse runs inside orig.
    wrap('tools/call', (orig) => (request, extra) => id.call(request.params, extra, headerOf(extra), () => orig(request, extra), callRefusal))
  }
  // The low-level Server's connect: McpServer.connect goes through it too, so does a caller who
  // connects `mcp.server` directly.
  const connect = low.connect.bind(low)
  let connected = false
  low.connect = async (transport: unknown) => {
    wrapToolsList()
    connected = true
    const r = await connect(transport)
    const notifier = typeof (outer as { sendToolListChanged?: unknown }).sendToolListChanged === 'function' ? outer : low
    id.onConnected(() => (notifier as { sendToolListChanged?: () => unknown }).sendToolListChanged?.())
    return r
  }
  // A handler set after connect (the SDK allows it on a low-level Server) is wrapped too: a
  // tools/call handler installed late must not run unguarded and unrecorded.
  const setRequestHandler = low.setRequestHandler.bind(low)
  low.setRequestHandler = (schema: unknown, handler: (request: any, extra: any) => unknown) => {
    setRequestHandler(schema, handler)
    if (connected) wrapToolsList()
  }
  return { did: id.did, kid: id.kid, presentation: id.presentation, httpHeaders: id.httpHeaders, setToolTrustLevel: id.setToolTrustLevel, callerOf: id.callerOf }
}

// ---------------------------------------------------------------------------------------------
// Client

/**
 * Attaches the client's identity to every `tools/call` it sends from now on (`callTool` or
 * `request`): the core's `prepareCall` puts a proof of possession — bound to the method, the
 * tool name and arguments, `report.server.did`, the time and a nonce — and the passport into
 * the request's `_meta`. A tool whose `requiredLevel` in `report` is above what this caller can
 * show is refused here (`McpAttestError` `insufficient_trust_level`) and nothing is sent. Over
 * Streamable HTTP also pass {@link callerFetch} to the transport so the proof travels in the
 * `MCP-Attest-Caller` header. Attaching again replaces the options (e.g. a fresh report).
 *
 * @example
 * ```ts
 * const report = requireVerified(await verifyServer(client, { serverId, trustStore }))
 * attachCallerIdentity(client, { key: loadOrCreateKey({ path: clientKeyPath }), report })
 * await client.callTool({ name: 'forecast', arguments: { city: 'Oslo' } })
 * ```
 *
 * @throws SdkShapeError for a client that is not an SDK 1.x `Client`.
 * @throws McpAttestError `invalid_key`, `invalid_policy`.
 */
export function attachCallerIdentity(client: SdkClient, options: AttachCallerOptions): AttachedCaller {
  checkClient(client)
  return attachCaller(client, options)
}

/**
 * Verifies a connected server: runs the core's client session over `client` (raw results,
 * nothing filtered through the SDK's Tool schema; JSON-RPC errors handed over as code, message
 * and data), saves the updated trust store into `options.trustStore`, and returns the core's
 * report. Never throws for what the server sends; a local SDK failure that is not a JSON-RPC
 * error (and any bug) is rethrown rather than filed as a verdict.
 *
 * @throws SdkShapeError for a client that is not an SDK 1.x `Client`.
 * @throws McpAttestError `invalid_policy` (an unknown option; a trust store without `serverId`).
 */
export async function verifyServer(client: SdkClient, options?: VerifyServerOptions): Promise<ServerReport> {
  checkClient(client)
  return (await runSession(client, options)).report
}

/**
 * The raw `Tool` objects (as listed, with their `_meta`) that the report verified; none when the
 * server is unverified. The listing also reaches the SDK client as its own `listTools()` would
 * hand it over, so `client.callTool` validates structured output against these tools' schemas.
 */
export async function verifiedTools(client: SdkClient, options?: VerifyServerOptions): Promise<JsonObject[]> {
  checkClient(client)
  const { report, pages } = await runSession(client, options)
  return toolsOf(report, pages)
}

/**
 * Verifies the server, then re-verifies it on every `notifications/tools/list_changed` and
 * hands each new report to `onChange`. `options.trustStore` (with `serverId`) is required: it
 * remembers the tools accepted, so a tool whose definition changes later — a rug pull, even
 * when re-signed — is reported `changed` with its `changedFields`. A previously set
 * list_changed handler keeps being called.
 */
export async function watchServer(client: SdkClient, options: VerifyServerOptions, onChange?: (report: ServerReport) => void): Promise<ServerWatch> {
  checkClient(client)
  if (typeof client.setNotificationHandler !== 'function') throw new SdkShapeError('Client.setNotificationHandler is not a function')
  const method = 'notifications/tools/list_changed'
  return watchWith(client, options, onChange, async (handler) => {
    const handlers = (client as { _notificationHandlers?: Map<string, (n: unknown) => Promise<void>> })._notificationHandlers
    const previous = handlers instanceof Map ? handlers.get(method) : undefined
    client.setNotificationHandler(z.object({ method: z.literal(method), params: paramsSchema }), async (n: unknown) => {
      if (previous) await previous(n)
      await handler()
    })
    return undefined
  })
}
