/**
 * `mcp-attest/mcp/v2`: identity for servers and clients of the split MCP TypeScript SDK 2.x
 * (`@modelcontextprotocol/server` and `@modelcontextprotocol/client`, optional peer
 * dependencies of this package). The SDK 1.x adapter is `mcp-attest/mcp`; both share their
 * logic (signing, the challenge, the whole client-side verification) in one module.
 *
 * Server: {@link attachIdentity} signs every `tools/list` result as it goes out (per-tool
 * ext-auth `_meta`, the tools manifest and the passport in the result `_meta`), serves
 * `identity/get` and `identity/challenge`, advertises the capability (`experimental` and
 * `extensions`) and adds the DID and passport to the 2026-era `server/discover` result `_meta`.
 *
 * Client: {@link verifyServer} lists the tools, fetches the identity, checks it against a policy
 * (pins, trusted issuers, revocation, challenge) and returns the verified and the rejected tools;
 * {@link verifiedTools} returns only the tools a model may see; {@link watchServer} re-verifies
 * after `notifications/tools/list_changed` (on 2026-era connections that notification only
 * arrives through `subscriptions/listen`).
 *
 * @example
 * ```ts
 * import { McpServer } from '@modelcontextprotocol/server'
 * import { serveStdio } from '@modelcontextprotocol/server/stdio'
 * import { SigningKey } from 'mcp-attest'
 * import { attachIdentity, verifyServer } from 'mcp-attest/mcp/v2'
 *
 * const key = SigningKey.generate()
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
import type { JsonObject } from '../index.js'
import {
  IDENTITY_KEY,
  METHOD_CHALLENGE,
  METHOD_GET,
  SdkShapeError,
  identityCore,
  verifyServer as verifyWith,
  watchWith,
  type AttachIdentityOptions,
  type AttachedIdentity,
  type ServerVerification,
  type ServerWatch,
  type VerifyPolicy,
} from '../mcp/shared.js'

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
  type AttachIdentityOptions,
  type AttachedIdentity,
  type ReplayStore,
  type VerifyPolicy,
  type RejectedTool,
  type ServerVerification,
  type ServerWatch,
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
  getServerVersion?(): { name?: string; version?: string } | undefined
  getServerCapabilities?(): JsonObject | undefined
}

const anyParams = z.object({}).passthrough()
const anyResult = z.object({}).passthrough()

// ---------------------------------------------------------------------------------------------
// Server

function lowLevel(server: SdkServer): { low: V2LowLevelServer & V2Private; outer: object } {
  if (server === null || typeof server !== 'object') throw new TypeError('attachIdentity: server must be an McpServer or Server')
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

/**
 * Attaches an identity to an SDK 2.x `McpServer` or `Server`. Call it before the server is
 * connected — inside the `serveStdio` / `createMcpHandler` factory, or before `connect`.
 * `tools/list` is wrapped now if the server already has its handler, and again when it
 * connects, so tools registered before or after this call are all signed when listed.
 *
 * @throws SdkShapeError when the SDK's protected seams (`_getRequestHandler`, `_ondiscover`)
 * are missing.
 */
export function attachIdentity(server: SdkServer, options: AttachIdentityOptions): AttachedIdentity {
  if (options === null || typeof options !== 'object' || options.key === undefined) throw new TypeError('attachIdentity: options.key is required')
  const { low, outer } = lowLevel(server)
  const id = identityCore(options, () => low._serverInfo)

  low.registerCapabilities(id.capabilities)

  // identity/get and identity/challenge: custom methods need a {params, result} schema bundle.
  low.setRequestHandler(METHOD_GET, { params: anyParams, result: anyResult }, () => id.identity())
  low.setRequestHandler(METHOD_CHALLENGE, { params: anyParams, result: anyResult }, (params: JsonObject, ctx: unknown) => id.challenge(params, rpcError, ctx))

  // tools/list: wrap the SDK's handler (read through the protected accessor).
  let installed: unknown
  const wrapToolsList = (): void => {
    let orig = low._getRequestHandler!('tools/list')
    if (orig === undefined) {
      // McpServer installs its tools handlers on the first registerTool.
      const install = (outer as { setToolRequestHandlers?: unknown }).setToolRequestHandlers
      if (typeof install === 'function') install.call(outer)
      orig = low._getRequestHandler!('tools/list')
    }
    if (orig === undefined || orig === installed) return // no tools, or already wrapped
    if (typeof orig !== 'function') throw shapeError('the tools/list handler is not a function')
    const inner = orig
    low.setRequestHandler('tools/list', async (request: unknown, ctx: unknown) => id.sign(await inner(request, ctx)))
    installed = low._getRequestHandler!('tools/list')
  }
  if (low._getRequestHandler!('tools/list') !== undefined) wrapToolsList()
  const connect = low.connect.bind(low)
  low.connect = async (transport: unknown) => {
    wrapToolsList()
    return connect(transport)
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
  return { did: id.did, kid: id.kid, responder: id.responder }
}

// ---------------------------------------------------------------------------------------------
// Client

function checkClient(client: SdkClient): void {
  if (client === null || typeof client !== 'object' || typeof client.request !== 'function') throw shapeError('Client.request is not a function')
}

/**
 * Verifies a connected SDK 2.x client's server against `policy` — the same checks, codes and
 * result as `mcp-attest/mcp`'s `verifyServer`. Never throws for what the server sends.
 *
 * @throws SdkShapeError for a client that is not an SDK 2.x `Client`.
 */
export async function verifyServer(client: SdkClient, policy: VerifyPolicy = {}): Promise<ServerVerification> {
  checkClient(client)
  return verifyWith(client as never, policy)
}

/** The tools a model may use: those {@link verifyServer} verified (empty when the server is unverified). */
export async function verifiedTools(client: SdkClient, policy: VerifyPolicy = {}): Promise<JsonObject[]> {
  return (await verifyServer(client, policy)).tools
}

/**
 * Verifies the server, then re-verifies it on every `notifications/tools/list_changed`; tools
 * accepted once are remembered by content hash, so a changed tool is rejected as
 * `tool_changed`. A previously set list_changed handler keeps being called.
 */
export async function watchServer(client: SdkClient, policy: VerifyPolicy, onChange?: (v: ServerVerification) => void): Promise<ServerWatch> {
  checkClient(client)
  if (typeof client.setNotificationHandler !== 'function') throw shapeError('Client.setNotificationHandler is not a function')
  const method = 'notifications/tools/list_changed'
  return watchWith(client as never, policy, onChange, (handler) => {
    const handlers = (client as { _notificationHandlers?: Map<string, (n: unknown) => unknown> })._notificationHandlers
    const previous = handlers instanceof Map ? handlers.get(method) : undefined
    client.setNotificationHandler(method, async (n: unknown) => {
      if (previous) await previous(n)
      await handler(n)
    })
  })
}
