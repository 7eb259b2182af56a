// End-to-end: the real SDK 1.x server (server.mjs, identity by attachIdentity) and the real SDK
// 1.x client (verifyServer → the core's report), over stdio and over Streamable HTTP on
// 127.0.0.1. No mocks. The scenarios themselves are in scenarios.mjs (shared with SDK 2.x).
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { SigningKey } from 'mcp-attest'
import * as api from 'mcp-attest/mcp'
import { TRANSPORTS, withServer, connect } from './helpers.mjs'
import { defineScenarios } from './scenarios.mjs'

const { verifyServer } = api
const DID1 = SigningKey.fromBytes(new Uint8Array(32).fill(1)).verifyingKey().toDidKey()

for (const transport of TRANSPORTS) {
  defineScenarios(`SDK 1.x server ↔ SDK 1.x client over ${transport}`, { api, run: (flags, fn) => withServer(transport, flags, fn) })
}

describe('HTTP extras', () => {
  it('sends the MCP-Attest-Identity hint from the presentation and answers CORS preflight', async () => {
    const c = await connect('http', {})
    try {
      const pre = await fetch(c.url, { method: 'OPTIONS', headers: { Origin: 'http://example.test', 'Access-Control-Request-Method': 'POST' } })
      assert.equal(pre.status, 204)
      assert.equal(pre.headers.get('access-control-allow-origin'), '*')
      assert.equal(pre.headers.get('mcp-attest-identity'), `did=${DID1}`)
      assert.match(pre.headers.get('access-control-expose-headers'), /MCP-Attest-Identity/)
    } finally {
      await c.close()
    }
  })
})

describe('a server without a passport', () => {
  it('is refused by default and accepted on identity/get + challenge when allowed', async () => {
    await withServer('stdio', { passport: 'none' }, async (client) => {
      const r = await verifyServer(client, {})
      assert.equal(r.verified, false)
      assert.equal(r.code, 'missing_passport')
      const w = await verifyServer(client, { requirePassport: false })
      assert.equal(w.verified, true, JSON.stringify(w))
      assert.equal(w.server.did, DID1)
      assert.equal(w.passport, null)
    })
  })
})
