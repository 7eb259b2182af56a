// In-process checks of the adapter with real SDK 1.x objects linked by InMemoryTransport:
// the low-level Server, tools registered after connect, the passport's toolsHash, the clock,
// audiences, and the feature checks on the SDK's private seams.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { Server } from '@modelcontextprotocol/sdk/server/index.js'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js'
import { ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js'
import { z } from 'zod'
import { SigningKey, issueSelfPassport, toolsHash } from 'mcp-attest'
import { attachIdentity, verifyServer, verifiedTools, SdkShapeError, IDENTITY_KEY } from 'mcp-attest/mcp'

const key = SigningKey.fromBytes(new Uint8Array(32).fill(3))
const DID = key.verifyingKey().toDidKey()

async function link(server) {
  const [a, b] = InMemoryTransport.createLinkedPair()
  const client = new Client({ name: 'c', version: '1' })
  await server.connect(a)
  await client.connect(b)
  return { client, close: async () => { await client.close(); await server.close() } }
}

function mcpServer(opts = {}) {
  const s = new McpServer({ name: 'inproc', version: '2.0.0' }, opts.serverOptions)
  const attached = attachIdentity(s, { key, ...opts.identity })
  return { s, attached }
}

describe('attachIdentity', () => {
  it('signs an McpServer created with capabilities.tools (handler installed in the constructor)', async () => {
    const { s, attached } = mcpServer({ serverOptions: { capabilities: { tools: {} } } })
    assert.equal(attached.did, DID)
    s.registerTool('t1', { description: 'one', inputSchema: { x: z.string() } }, async () => ({ content: [] }))
    const c = await link(s)
    try {
      const v = await verifyServer(c.client, {})
      assert.equal(v.verified, true, JSON.stringify(v))
      assert.deepEqual(v.tools.map((t) => t.name), ['t1'])
      assert.equal(v.passport.mcp.name, 'inproc')
      assert.equal(v.passport.mcp.version, '2.0.0')
    } finally {
      await c.close()
    }
  })

  it('signs tools registered after connect, even when none existed before', async () => {
    const { s } = mcpServer()
    const c = await link(s)
    try {
      assert.deepEqual((await verifyServer(c.client, {})).tools, [])
      s.registerTool('late', { description: 'registered after connect' }, async () => ({ content: [] }))
      const v = await verifyServer(c.client, {})
      assert.equal(v.verified, true, JSON.stringify(v))
      assert.deepEqual(v.tools.map((t) => t.name), ['late'])
    } finally {
      await c.close()
    }
  })

  it('works on a low-level Server with its own tools/list handler, merging existing _meta', async () => {
    const s = new Server({ name: 'low', version: '1' }, { capabilities: { tools: {} } })
    s.setRequestHandler(ListToolsRequestSchema, async () => ({
      tools: [{ name: 'raw', description: 'Raw', inputSchema: { type: 'object', properties: { n: { type: 'number', minimum: 1.5 } } } }],
      _meta: { 'com.example/other': 1 },
    }))
    attachIdentity(s, { key })
    const c = await link(s)
    try {
      const raw = await c.client.request({ method: 'tools/list', params: {} }, z.object({}).passthrough())
      assert.equal(raw._meta['com.example/other'], 1)
      assert.equal(typeof raw._meta[IDENTITY_KEY].manifest, 'string')
      assert.equal(typeof raw._meta[IDENTITY_KEY].passport, 'string')
      const v = await verifyServer(c.client, { expectedDid: DID })
      assert.equal(v.verified, true, JSON.stringify(v))
    } finally {
      await c.close()
    }
  })

  it("refuses tools that differ from the passport's toolsHash", async () => {
    const passport = issueSelfPassport(key, { name: 'p', toolsHash: toolsHash([{ name: 'other', description: 'x', inputSchema: { type: 'object' } }]) })
    const { s } = mcpServer({ identity: { passport } })
    s.registerTool('t1', { description: 'one' }, async () => ({ content: [] }))
    const c = await link(s)
    try {
      const v = await verifyServer(c.client, {})
      assert.equal(v.verified, false)
      assert.deepEqual(v.tools, [])
      assert.equal(v.rejected[0].code, 'manifest_mismatch')
    } finally {
      await c.close()
    }
  })

  it('binds the manifest to an audience', async () => {
    const { s } = mcpServer({ identity: { audience: 'https://client-a.example', passport: false } })
    s.registerTool('t1', { description: 'one' }, async () => ({ content: [] }))
    const c = await link(s)
    try {
      const ok = await verifyServer(c.client, { audience: 'https://client-a.example', requirePassport: false })
      assert.equal(ok.verified, true, JSON.stringify(ok))
      const other = await verifyServer(c.client, { audience: 'https://client-b.example', requirePassport: false })
      assert.equal(other.verified, false)
      assert.deepEqual(other.tools, [])
    } finally {
      await c.close()
    }
  })

  it("uses the server's clock: an answer dated far from the client's is stale", async () => {
    const skew = 3600_000
    const { s } = mcpServer({ identity: { now: () => new Date(Date.now() + skew) } })
    s.registerTool('t1', { description: 'one' }, async () => ({ content: [] }))
    const c = await link(s)
    try {
      const v = await verifyServer(c.client, {})
      assert.equal(v.verified, false)
      // The passport is issued in the client's future (iat beyond leeway) or the challenge is stale.
      assert.ok(['token_issued_in_future', 'token_not_yet_valid', 'stale_timestamp'].includes(v.error.code), v.error.code)
      const w = await verifyServer(c.client, { now: () => new Date(Date.now() + skew) })
      assert.equal(w.verified, true, JSON.stringify(w.error))
    } finally {
      await c.close()
    }
  })

  it('fails loudly when the SDK changed shape', () => {
    const s = new McpServer({ name: 'x', version: '1' })
    const saved = s.server._requestHandlers
    s.server._requestHandlers = undefined
    assert.throws(() => attachIdentity(s, { key }), (e) => e instanceof SdkShapeError && /_requestHandlers/.test(e.message))
    s.server._requestHandlers = saved
    assert.throws(() => attachIdentity({ server: { setRequestHandler() {} } }, { key }), SdkShapeError)
    assert.throws(() => attachIdentity(s, {}), TypeError)
  })
})

describe('verifyServer', () => {
  it('rejects a client of another shape, and reports a server without identity as unverified', async () => {
    await assert.rejects(verifyServer({}, {}), SdkShapeError)
    const s = new McpServer({ name: 'plain', version: '1' })
    s.registerTool('t', { description: 'unsigned' }, async () => ({ content: [] }))
    const c = await link(s)
    try {
      const v = await verifyServer(c.client, {})
      assert.equal(v.verified, false)
      assert.equal(v.error.code, 'missing_claim')
      assert.deepEqual(v.rejected.map((r) => [r.name, r.status]), [['t', 'server_unverified']])
      const w = await verifyServer(c.client, { requirePassport: false })
      assert.equal(w.verified, false)
      assert.equal(typeof w.error.code, 'string') // identity/get: method not found
      assert.deepEqual(await verifiedTools(c.client, { requirePassport: false }), [])
    } finally {
      await c.close()
    }
  })
})
