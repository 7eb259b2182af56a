/**
 * `mcp-attest/mcp`: identity for servers and clients of the official MCP TypeScript SDK 1.x
 * (`@modelcontextprotocol/sdk`, an optional peer dependency of this package).
 *
 * Server: {@link attachIdentity} signs every `tools/list` result as it goes out (per-tool
 * ext-auth `_meta`, the tools manifest and the passport in the result `_meta`), serves
 * `identity/get` and `identity/challenge`, and advertises the capability.
 *
 * Client: {@link verifyServer} lists the tools, fetches the identity, checks it against a policy
 * (pins, trusted issuers, revocation, challenge) and returns the verified and the rejected tools;
 * {@link verifiedTools} returns only the tools a model may see; {@link watchServer} re-verifies
 * after `notifications/tools/list_changed`.
 *
 * All cryptography, canonicalisation and verification happen in the core (`mcp-attest`); this
 * module only moves JSON between SDK hooks and the core.
 *
 * @example
 * ```ts
 * import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
 * import { SigningKey } from 'mcp-attest'
 * import { attachIdentity, verifyServer } from 'mcp-attest/mcp'
 *
 * const server = new McpServer({ name: 'weather', version: '1.0.0' })
 * attachIdentity(server, { key: SigningKey.generate() })
 * // … registerTool(…), then server.connect(transport) as usual.
 *
 * const report = await verifyServer(client, { serverId: 'https://weather.example/mcp', trustStore })
 * const usable = report.tools // only verified tools
 * ```
 *
 * @module
 */
import { z } from 'zod'
import { McpError } from '@modelcontextprotocol/sdk/types.js'
import type { JsonObject } from '../index.js'
import {
  SdkShapeError,
  METHOD_CHALLENGE,
  METHOD_GET,
  checkClient,
  identityCore,
  paramsSchema,
  watchWith,
  type AttachIdentityOptions,
  type AttachedIdentity,
  type SdkClient,
  type ServerVerification,
  type ServerWatch,
  type VerifyPolicy,
} from './shared.js'

export {
  IDENTITY_KEY,
  SERVER_IDENTITY_KEY,
  METHOD_GET,
  METHOD_CHALLENGE,
  IDENTITY_HEADER,
  SdkShapeError,
  TrustStore,
  RedisReplayStore,
  identityHeaders,
  verifyServer,
  verifiedTools,
  type AttachIdentityOptions,
  type AttachedIdentity,
  type ReplayStore,
  type SdkClient,
  type VerifyPolicy,
  type RejectedTool,
  type ServerVerification,
  type ServerWatch,
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
  if (server === null || typeof server !== 'object') throw new TypeError('attachIdentity: server must be an McpServer or Server')
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
 * Attaches an identity to an SDK 1.x `McpServer` or `Server`. Call it before `connect`.
 * `tools/list` is wrapped at connect time (the SDK installs its own handler lazily), so tools
 * registered before or after this call — and after connect — are all signed when listed.
 *
 * @throws SdkShapeError when the SDK's private seams are missing.
 */
export function attachIdentity(server: SdkServer, options: AttachIdentityOptions): AttachedIdentity {
  if (options === null || typeof options !== 'object' || options.key === undefined) throw new TypeError('attachIdentity: options.key is required')
  const { low, outer } = lowLevel(server)
  const id = identityCore(options, () => (low as LowLevelPrivate)._serverInfo)

  // Capabilities (before connect: the SDK refuses registerCapabilities afterwards).
  low.registerCapabilities(id.capabilities)

  // identity/get and identity/challenge.
  low.setRequestHandler(z.object({ method: z.literal(METHOD_GET), params: paramsSchema }), () => id.identity())
  low.setRequestHandler(z.object({ method: z.literal(METHOD_CHALLENGE), params: paramsSchema }), (request: { params?: JsonObject }, extra: unknown) =>
    id.challenge(request.params, rpcError, extra),
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
    const orig = handlers.get('tools/list')
    if (orig === undefined) return // a low-level Server without tools: nothing to sign
    if ((orig as { __mcpAttest?: boolean }).__mcpAttest) return
    if (typeof orig !== 'function') throw new SdkShapeError('the tools/list handler is not a function')
    const wrapped: Handler = async (request, extra) => id.sign(await orig(request, extra))
    ;(wrapped as { __mcpAttest?: boolean }).__mcpAttest = true
    handlers.set('tools/list', wrapped)
  }
  // The low-level Server's connect: McpServer.connect goes through it too, so does a caller who
  // connects `mcp.server` directly.
  const connect = low.connect.bind(low)
  low.connect = async (transport: unknown) => {
    wrapToolsList()
    return connect(transport)
  }
  return { did: id.did, kid: id.kid, responder: id.responder }
}

// ---------------------------------------------------------------------------------------------
// Client

/**
 * Verifies the server, then re-verifies it on every `notifications/tools/list_changed`. Tools
 * accepted once are remembered by content hash (in `policy.knownTools`, created if absent): a
 * tool whose definition changes later — a rug pull, even when re-signed — is rejected as
 * `tool_changed`. A previously set list_changed handler keeps being called.
 */
export async function watchServer(
  client: SdkClient,
  policy: VerifyPolicy,
  onChange?: (v: ServerVerification) => void,
): Promise<ServerWatch> {
  checkClient(client)
  if (typeof client.setNotificationHandler !== 'function') throw new SdkShapeError('Client.setNotificationHandler is not a function')
  const method = 'notifications/tools/list_changed'
  return watchWith(client, policy, onChange, (handler) => {
    const handlers = (client as { _notificationHandlers?: Map<string, (n: unknown) => Promise<void>> })._notificationHandlers
    const previous = handlers instanceof Map ? handlers.get(method) : undefined
    client.setNotificationHandler(z.object({ method: z.literal(method), params: paramsSchema }), async (n: unknown) => {
      if (previous) await previous(n)
      await handler(n)
    })
  })
}
