// The SDK 1.x adapter from CommonJS: its `.d.cts` declarations and the core's are one type.
import attest = require('mcp-attest')
import mcp = require('mcp-attest/mcp')

export type Same = mcp.ServerReport extends attest.ServerReport ? (attest.ServerReport extends mcp.ServerReport ? true : false) : false
export const same: Same = true
