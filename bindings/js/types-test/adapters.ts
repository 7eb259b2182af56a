// The MCP SDK adapters (`mcp-attest/mcp`, `mcp-attest/mcp/v2`), compiled under
// tsconfig.adapters.json: Node's types plus the DOM lib, which the SDK's own declarations
// need (its transport.d.ts names `HeadersInit`).
import { SdkShapeError, verifyServer, type ServerReport as McpReport } from 'mcp-attest/mcp'
import { verifyServer as verifyServerV2, type ServerReport as McpV2Report } from 'mcp-attest/mcp/v2'
import { McpAttestError, type ServerReport } from 'mcp-attest'
import type { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { assert, type Equal } from './core.js'

export async function adapters(client: Client): Promise<boolean> {
  // The adapters hand back the core's report type, not a copy of it.
  assert<Equal<McpReport, ServerReport>>()
  assert<Equal<McpV2Report, ServerReport>>()
  const report = await verifyServer(client)
  assert<Equal<Awaited<ReturnType<typeof verifyServerV2>>, ServerReport>>()
  const shape: unknown = undefined
  if (shape instanceof SdkShapeError) {
    const e: McpAttestError = shape
    void e
  }
  return report.verified
}
