// Starts the SDK 2.x test server (test-mcp-v2/server.mjs) over stdio, or an in-process SDK 2.x
// server over the SDK's in-memory transport, and connects a real SDK 2.x client to it. Every
// start returns a close() that stops both.
import { fileURLToPath } from 'node:url'
import { Client, InMemoryTransport, StreamableHTTPClientTransport } from '@modelcontextprotocol/client'
import { startHttpServer, stopChild } from '../test-mcp/helpers.mjs'
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio'

export const SERVER = fileURLToPath(new URL('./server.mjs', import.meta.url))

const flagList = (flags) => Object.entries(flags).flatMap(([k, v]) => [`--${k}`, String(v)])

/** A real client connected over stdio to `server` (default server.mjs); `mode` is the client's version negotiation (`legacy` or `auto`). */
export async function connectStdio(flags = {}, mode = 'legacy', server = SERVER) {
  const client = new Client({ name: 'identity-test-client-v2', version: '1.0.0' }, { versionNegotiation: { mode } })
  const t = new StdioClientTransport({ command: process.execPath, args: [server, '--transport', 'stdio', ...flagList(flags)], stderr: 'pipe' })
  await client.connect(t)
  return { client, close: async () => { await client.close().catch(() => {}) } }
}

/** A real client connected over Streamable HTTP to `server` (default server.mjs) started on 127.0.0.1; `transportOptions` (e.g. `fetch`) go to its transport. */
export async function connectHttp(flags = {}, mode = 'legacy', server = SERVER, transportOptions = {}) {
  const { child, url } = await startHttpServer(flags, server)
  const client = new Client({ name: 'identity-test-client-v2', version: '1.0.0' }, { versionNegotiation: { mode } })
  try {
    await client.connect(new StreamableHTTPClientTransport(new URL(url), transportOptions))
  } catch (e) {
    child.kill('SIGKILL')
    throw e
  }
  return {
    client,
    url,
    close: async () => {
      await client.close().catch(() => {})
      await stopChild(child)
    },
  }
}

/** A real client connected in process to `server` (a 2.x McpServer) over the linked in-memory pair. */
export async function connectInMemory(server, { tamper } = {}) {
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair()
  if (tamper) {
    const send = serverSide.send.bind(serverSide)
    serverSide.send = (msg, opts) => send(tamper(structuredClone(msg)) ?? msg, opts)
  }
  await server.connect(serverSide)
  const client = new Client({ name: 'identity-test-client-v2', version: '1.0.0' })
  await client.connect(clientSide)
  return {
    client,
    close: async () => {
      await client.close().catch(() => {})
      await server.close().catch(() => {})
    },
  }
}

/** Runs `fn` with a connected client and always closes. */
export async function withClient(connecting, fn) {
  const c = await connecting
  try {
    return await fn(c.client, c)
  } finally {
    await c.close()
  }
}
