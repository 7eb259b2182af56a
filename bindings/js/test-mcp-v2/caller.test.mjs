// Caller identity, guards and evidence logs end to end (issue #13) with a real SDK 2.x server
// process (serveStdio; createMcpHandler behind node:http) and a real SDK 2.x client, in both
// protocol eras. The scenarios are in test-mcp/caller-scenarios.mjs (shared with SDK 1.x).
import * as api from 'mcp-attest/mcp/v2'
import { connectHttp, connectStdio } from './helpers.mjs'
import { defineCallerScenarios } from '../test-mcp/caller-scenarios.mjs'

for (const mode of ['legacy', 'auto']) {
  defineCallerScenarios(`SDK 2.x over stdio (negotiation ${mode})`, { api, http: false, connect: (flags) => connectStdio(flags, mode) })
  defineCallerScenarios(`SDK 2.x over Streamable HTTP (negotiation ${mode})`, {
    api,
    http: true,
    connect: (flags, transportOptions) => connectHttp(flags, mode, undefined, transportOptions),
  })
}
