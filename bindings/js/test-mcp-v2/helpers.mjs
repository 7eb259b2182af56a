// Starts the SDK 2.x test server (test-mcp-v2/server.mjs) over stdio, or an in-process SDK 2.x
// server over the SDK's in-memory transport, and connects a real SDK 2.x client to it. Every
// start returns a close() that stops both.
import { fileURLToPath } from 'node:url'
import { Client, InMemoryTransport } from '@modelcontextprotocol/client'
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio'

export const SERVER = fileURLToPath(new URL('./server.mjs', import.meta.url))

const flagList = (flags) => Object.entries(flags).flatMap(([k, v]) => [`--${k}`, String(v)])

/** A real client connected over stdio to server.mjs; `mode` is the client's version negotiation (`legacy` or `auto`). */
export async function connectStdio(flags = {}, mode = 'legacy') {
  const client = new Client({ name: 'identity-test-client-v2', version: '1.0.0' }, { versionNegotiation: { mode } })
  const t = new StdioClientTransport({ command: process.execPath, args: [SERVER, ...flagList(flags)], stderr: 'pipe' })
  await client.connect(t)
  return { client, close: async () => { await client.close().catch(() => {}) } }
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
