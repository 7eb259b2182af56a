#!/usr/bin/env node
// A real SDK 1.x stdio server that gets its key the way a guide tells a new user to:
//   key-server.mjs new <path>   loadOrCreateKey({ path }) — the documented pattern
//   key-server.mjs old          the guide's earlier pattern: the PEM from the environment,
//                               else SigningKey.generate() (a fresh key on every start)
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js'
import { SigningKey } from 'mcp-attest'
import { loadOrCreateKey } from 'mcp-attest/fs'
import { attachIdentity } from 'mcp-attest/mcp'

const [mode, path] = process.argv.slice(2)
const key = mode === 'new'
  ? loadOrCreateKey({ path })
  : process.env.MCP_ATTEST_PRIVATE_KEY_PEM
    ? SigningKey.fromPkcs8Pem(process.env.MCP_ATTEST_PRIVATE_KEY_PEM)
    : SigningKey.generate()
const server = new McpServer({ name: 'weather', version: '1.0.0' })
server.registerTool('forecast', { description: 'Forecast for a city' }, async () => ({ content: [] }))
attachIdentity(server, { key })
await server.connect(new StdioServerTransport())
