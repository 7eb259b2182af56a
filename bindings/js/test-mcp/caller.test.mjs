// Caller identity, guards and evidence logs end to end (issue #13) with a real SDK 1.x server
// process and a real SDK 1.x client, over stdio and Streamable HTTP on 127.0.0.1. The scenarios
// are in caller-scenarios.mjs (shared with SDK 2.x).
import * as api from 'mcp-attest/mcp'
import { TRANSPORTS, connect, SERVER } from './helpers.mjs'
import { defineCallerScenarios } from './caller-scenarios.mjs'

for (const transport of TRANSPORTS) {
  defineCallerScenarios(`SDK 1.x over ${transport}`, {
    api,
    http: transport === 'http',
    connect: (flags, transportOptions) => connect(transport, flags, {}, SERVER, transportOptions),
  })
}
