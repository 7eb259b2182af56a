#!/usr/bin/env node
// A real SDK 1.x client with the mcp-attest/mcp adapter, for the CLI's tests (crates/mcp-attest-cli/tests/net.rs):
//   node cli-client.mjs [--call TOOL ARGS_JSON] (--url URL | -- COMMAND [ARGS...])
// Connects over stdio (a command) or Streamable HTTP (a URL), runs verifyServer, optionally calls one
// tool, and prints one JSON line: {"report": <the core's report>, "call": <the tools/call result>}.
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { verifyServer } from 'mcp-attest/mcp'

const argv = process.argv.slice(2)
let call = null
let url = null
let command = null
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--call') { call = [argv[i + 1], JSON.parse(argv[i + 2])]; i += 2 }
  else if (argv[i] === '--url') { url = argv[++i] }
  else if (argv[i] === '--') { command = argv.slice(i + 1); break }
}
const transport = url
  ? new StreamableHTTPClientTransport(new URL(url))
  : new StdioClientTransport({ command: command[0], args: command.slice(1), stderr: 'inherit' })
const client = new Client({ name: 'cli-test-client', version: '1.0.0' })
await client.connect(transport)
try {
  const report = await verifyServer(client, {})
  const out = { report }
  if (call) out.call = await client.callTool({ name: call[0], arguments: call[1] })
  process.stdout.write(JSON.stringify(out) + '\n')
} finally {
  await client.close().catch(() => {})
}
