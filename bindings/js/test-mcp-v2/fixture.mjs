// The SDK 2.x test server's tools, with an identity attached by mcp-attest/mcp/v2 (shared by
// server.mjs and the in-process tests).
import { McpServer } from '@modelcontextprotocol/server'
import { z } from 'zod'
import { SigningKey } from 'mcp-attest'
import { attachIdentity } from 'mcp-attest/mcp/v2'

// One SigningKey object per seed: the adapter keeps one challenge responder (the replay cache)
// per key object, and createMcpHandler calls the factory once per HTTP request.
const keys = new Map()

export function makeServer(seed = 1) {
  if (!keys.has(seed)) keys.set(seed, SigningKey.fromBytes(new Uint8Array(32).fill(seed)))
  const key = keys.get(seed)
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

