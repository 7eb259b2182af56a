// The two SDK lines against each other: an SDK 1.x client (mcp-attest/mcp) verifying the SDK 2.x
// test server, and an SDK 2.x client (mcp-attest/mcp/v2) verifying the SDK 1.x test server, over
// stdio and Streamable HTTP. The same scenarios as each line against itself (test-mcp/scenarios.mjs):
// the adapters must reach the same report whichever SDK sits on either side.
import * as v1 from 'mcp-attest/mcp'
import * as v2 from 'mcp-attest/mcp/v2'
import { withServer, SERVER as V1_SERVER } from '../test-mcp/helpers.mjs'
import { defineScenarios } from '../test-mcp/scenarios.mjs'
import { SERVER as V2_SERVER, connectStdio, connectHttp, withClient } from './helpers.mjs'

for (const transport of ['stdio', 'http']) {
  // A 2.x createMcpHandler keeps no stream open for list_changed; over stdio it does.
  defineScenarios(`SDK 1.x client ↔ SDK 2.x server over ${transport}`, {
    api: v1,
    rugPull: transport === 'stdio',
    run: (flags, fn) => withServer(transport, flags, fn, {}, V2_SERVER),
  })
  defineScenarios(`SDK 2.x client ↔ SDK 1.x server over ${transport}`, {
    api: v2,
    run: (flags, fn) => withClient(transport === 'stdio' ? connectStdio(flags, 'legacy', V1_SERVER) : connectHttp(flags, 'legacy', V1_SERVER), fn),
  })
}
