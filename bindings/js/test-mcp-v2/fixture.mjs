// The SDK 2.x test server's tools, with an identity attached by mcp-attest/mcp/v2 (shared by
// server.mjs and the in-process tests).
import { McpServer } from '@modelcontextprotocol/server'
import { z } from 'zod'
import { SigningKey } from 'mcp-attest'
import { attachIdentity } from 'mcp-attest/mcp/v2'

// A new SigningKey object per server, as createMcpHandler's per-request factory would build it:
// the adapter keys its presentation (the replay cache) by the public key, not the object.
export function makeServer(seed = 1) {
  const key = SigningKey.fromBytes(new Uint8Array(32).fill(seed))
  const server = new McpServer({ name: 'identity-test-server-v2', version: '1.0.0' })
  server.registerTool(
    'echo',
    { title: 'Echo', description: 'Echoes the text back.', inputSchema: z.object({ text: z.string() }) },
    async ({ text }) => ({ content: [{ type: 'text', text }] }),
  )
  server.registerTool(
    'add',
    { description: 'Adds two numbers.', inputSchema: z.object({ a: z.number(), b: z.number() }), annotations: { readOnlyHint: true } },
    async ({ a, b }) => ({ content: [{ type: 'text', text: String(a + b) }] }),
  )
  attachIdentity(server, { key })
  return server
}

