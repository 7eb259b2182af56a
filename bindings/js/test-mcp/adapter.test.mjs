// In-process checks of the adapter with real SDK 1.x objects linked by InMemoryTransport:
// the low-level Server, tools registered after connect, the passport's toolsHash, audiences,
// misuse (stable codes), the feature checks on the SDK's private seams, and the bugs of issue
// #11 that the old adapter had (each test below names the one it catches).
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { Server } from '@modelcontextprotocol/sdk/server/index.js'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js'
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js'
import { z } from 'zod'
import { McpAttestError, SigningKey, TrustStore, createChallenge, issueSelfPassport, publisherAttestation, toolsHash } from 'mcp-attest'
import { attachIdentity, verifyServer, verifiedTools, SdkShapeError, IDENTITY_KEY, METHOD_CHALLENGE } from 'mcp-attest/mcp'
import { usable, allRefused } from './report.mjs'

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
  const attached = attachIdentity(s, { key: opts.key ?? key, ...opts.identity })
  return { s, attached }
}

describe('attachIdentity', () => {
  it('signs an McpServer created with capabilities.tools, with the SDK name and version in the passport', async () => {
    const { s, attached } = mcpServer({ serverOptions: { capabilities: { tools: {} } } })
    assert.equal(attached.did, DID)
    assert.equal(attached.kid, key.verifyingKey().kid())
    s.registerTool('t1', { description: 'one', inputSchema: { x: z.string() } }, async () => ({ content: [] }))
    const c = await link(s)
    try {
      const r = await verifyServer(c.client, {})
      assert.equal(r.verified, true, JSON.stringify(r))
      assert.deepEqual(usable(r), ['t1'])
      const raw = await c.client.request({ method: 'tools/list', params: {} }, z.object({}).passthrough())
      const claims = JSON.parse(Buffer.from(raw._meta[IDENTITY_KEY].passport.split('.')[1], 'base64url'))
      assert.equal(claims.mcp.name, 'inproc')
      assert.equal(claims.mcp.version, '2.0.0')
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
      const r = await verifyServer(c.client, {})
      assert.equal(r.verified, true, JSON.stringify(r))
      assert.deepEqual(usable(r), ['late'])
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
      const r = await verifyServer(c.client, { expectedKey: DID })
      assert.equal(r.verified, true, JSON.stringify(r))
      // verifiedTools hands back the raw tool, fields the SDK's Tool schema would keep or not.
      assert.deepEqual((await verifiedTools(c.client, {}))[0].inputSchema.properties.n, { type: 'number', minimum: 1.5 })
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
      const r = await verifyServer(c.client, {})
      assert.equal(r.verified, false)
      assert.deepEqual(usable(r), [])
      assert.equal(r.tools[0].code, 'manifest_mismatch')
    } finally {
      await c.close()
    }
  })

  it('binds the manifest to an audience', async () => {
    const { s } = mcpServer({ identity: { audience: 'https://client-a.example', passport: 'none' } })
    s.registerTool('t1', { description: 'one' }, async () => ({ content: [] }))
    const c = await link(s)
    try {
      const ok = await verifyServer(c.client, { audience: 'https://client-a.example', requirePassport: false })
      assert.equal(ok.verified, true, JSON.stringify(ok))
      const other = await verifyServer(c.client, { audience: 'https://client-b.example', requirePassport: false })
      assert.equal(other.verified, false)
      assert.deepEqual(usable(other), [])
    } finally {
      await c.close()
    }
  })

  it('issue #11: the default passport carries the configured audience (the old one had no aud)', async () => {
    const { s } = mcpServer({ identity: { audience: 'https://client-a.example' } })
    s.registerTool('t1', { description: 'one' }, async () => ({ content: [] }))
    const c = await link(s)
    try {
      const r = await verifyServer(c.client, { audience: 'https://client-a.example' })
      assert.equal(r.verified, true, JSON.stringify(r))
    } finally {
      await c.close()
    }
  })

  it('misuse gets a stable code: a PEM string as key, passport: 42, an unknown option, name from options', () => {
    const s = () => new McpServer({ name: 'x', version: '1' })
    assert.throws(() => attachIdentity(s(), { key: key.toPkcs8Pem() }), (e) => e instanceof McpAttestError && e.code === 'invalid_key')
    assert.throws(() => attachIdentity(s(), {}), (e) => e instanceof McpAttestError && e.code === 'invalid_key')
    assert.throws(() => attachIdentity(s(), { key, passport: 42 }), (e) => e instanceof McpAttestError && e.code === 'invalid_policy')
    assert.throws(() => attachIdentity(s(), { key, passport: 'not-a-token' }), (e) => e instanceof McpAttestError && e.code === 'invalid_policy')
    assert.throws(() => attachIdentity(s(), { key, audiance: 'typo' }), (e) => e instanceof McpAttestError && e.code === 'invalid_policy')
    assert.throws(() => attachIdentity(s(), { key, name: 'again' }), (e) => e instanceof McpAttestError && e.code === 'invalid_policy')
    assert.throws(() => attachIdentity(s(), null), (e) => e instanceof McpAttestError && e.code === 'invalid_policy')
  })

  it('fails loudly when the SDK changed shape or the object is not an SDK server', () => {
    const s = new McpServer({ name: 'x', version: '1' })
    const saved = s.server._requestHandlers
    s.server._requestHandlers = undefined
    assert.throws(() => attachIdentity(s, { key }), (e) => e instanceof SdkShapeError && /_requestHandlers/.test(e.message) && /@modelcontextprotocol\/sdk 1\.x/.test(e.message))
    s.server._requestHandlers = saved
    assert.throws(() => attachIdentity({ server: { setRequestHandler() {} } }, { key }), SdkShapeError)
    assert.throws(() => attachIdentity(42, { key }), SdkShapeError)
  })

  it('issue #11: two server objects with two key objects of the same key share one replay cache (the old responder was per key object)', async () => {
    const k1 = SigningKey.fromBytes(new Uint8Array(32).fill(4))
    const k2 = SigningKey.fromBytes(new Uint8Array(32).fill(4))
    const a = mcpServer({ key: k1 })
    const b = mcpServer({ key: k2 })
    const ca = await link(a.s)
    const cb = await link(b.s)
    try {
      const params = createChallenge()
      const first = await ca.client.request({ method: METHOD_CHALLENGE, params: { ...params } }, z.object({}).passthrough())
      assert.equal(typeof first.signature, 'string')
      await assert.rejects(cb.client.request({ method: METHOD_CHALLENGE, params: { ...params } }, z.object({}).passthrough()), (e) => e.data?.reason === 'replayed_nonce')
    } finally {
      await ca.close()
      await cb.close()
    }
  })

  it('issue #11: publisher attestations served by identity/get are in the report (the old client dropped them)', async () => {
    const pub = SigningKey.fromBytes(new Uint8Array(32).fill(8))
    const attestation = publisherAttestation({ key: pub, name: 'Example Publisher', url: 'https://publisher.example' }, key.verifyingKey())
    const { s } = mcpServer({ identity: { attestations: [attestation] } })
    s.registerTool('t1', { description: 'one' }, async () => ({ content: [] }))
    const c = await link(s)
    try {
      const r = await verifyServer(c.client, {})
      assert.equal(r.verified, true, JSON.stringify(r))
      assert.equal(r.publishers.length, 1, JSON.stringify(r.publishers))
      assert.equal(r.publishers[0].name, 'Example Publisher')
      assert.equal(r.publishers[0].did, pub.verifyingKey().toDidKey())
      assert.equal(r.publishers[0].bound, true)
    } finally {
      await c.close()
    }
  })
})

describe('verifyServer', () => {
  // The session lists tools with a raw request; the SDK's own listTools() would also have
  // cached each tool's output validator and task support, which callTool relies on. A low-level
  // Server does not check its own output, so only the client's validation can catch it.
  it('leaves the SDK client validating tool output and refusing task-only tools, as its own listTools() would', async () => {
    const s = new Server({ name: 'low', version: '1' }, { capabilities: { tools: {} } })
    s.setRequestHandler(ListToolsRequestSchema, async () => ({
      tools: [
        { name: 'liar', description: 'declares a number, returns a string', inputSchema: { type: 'object' }, outputSchema: { type: 'object', properties: { n: { type: 'number' } }, required: ['n'] } },
        { name: 'slow', description: 'only as a task', inputSchema: { type: 'object' }, execution: { taskSupport: 'required' } },
      ],
    }))
    s.setRequestHandler(CallToolRequestSchema, async () => ({ content: [], structuredContent: { n: 'not a number' } }))
    attachIdentity(s, { key })
    const c = await link(s)
    try {
      assert.deepEqual((await verifiedTools(c.client, {})).map((t) => t.name), ['liar', 'slow'])
      await assert.rejects(c.client.callTool({ name: 'liar', arguments: {} }), /Structured content does not match the tool's output schema/)
      await assert.rejects(c.client.callTool({ name: 'slow', arguments: {} }), /requires task-based execution/)
    } finally {
      await c.close()
    }
  })

  it('rejects a client of another shape', async () => {
    await assert.rejects(verifyServer({}, {}), SdkShapeError)
    await assert.rejects(verifiedTools(null, {}), SdkShapeError)
  })

  it('issue #11: a server without any identity is one plain code, no_identity (old: missing_claim / malformed_identity)', async () => {
    const s = new McpServer({ name: 'plain', version: '1' })
    s.registerTool('t', { description: 'unsigned' }, async () => ({ content: [] }))
    const c = await link(s)
    try {
      const r = await verifyServer(c.client, {})
      assert.equal(r.code, 'no_identity')
      allRefused(r)
      const w = await verifyServer(c.client, { requirePassport: false })
      assert.equal(w.code, 'no_identity')
      assert.deepEqual(await verifiedTools(c.client, { requirePassport: false }), [])
    } finally {
      await c.close()
    }
  })

  it('issue #11: a trust store without serverId is invalid_policy, never a pin under the server\'s self-reported name', async () => {
    const { s } = mcpServer()
    s.registerTool('t1', { description: 'one' }, async () => ({ content: [] }))
    const c = await link(s)
    const store = TrustStore.create()
    try {
      await assert.rejects(verifyServer(c.client, { trustStore: store }), (e) => e instanceof McpAttestError && e.code === 'invalid_policy')
      assert.equal(store.toJson().includes('inproc'), false)
      await assert.rejects(verifyServer(c.client, { serverid: 'typo' }), (e) => e instanceof McpAttestError && e.code === 'invalid_policy')
    } finally {
      await c.close()
    }
  })

  it('issue #11: an unexpected exception is rethrown, not filed as a verdict (old: a report with a made-up code)', async () => {
    const { s } = mcpServer()
    s.registerTool('t1', { description: 'one' }, async () => ({ content: [] }))
    const c = await link(s)
    try {
      const boom = new TypeError('a bug in the transport')
      const client = new Proxy(c.client, {
        get: (t, p) => (p === 'request' ? async (req, ...rest) => { if (req.method === 'identity/challenge') throw boom; return t.request(req, ...rest) } : Reflect.get(t, p)),
      })
      await assert.rejects(verifyServer(client, {}), (e) => e === boom)
    } finally {
      await c.close()
    }
  })

  it('events name methods and codes, never the nonce, the passport or the key', async () => {
    const { s } = mcpServer()
    s.registerTool('t1', { description: 'one' }, async () => ({ content: [] }))
    const c = await link(s)
    try {
      const events = []
      const r = await verifyServer(c.client, { onEvent: (e) => events.push(e) })
      assert.deepEqual(events.map((e) => e.type), ['request', 'request', 'request', 'report'])
      assert.deepEqual(events.slice(0, 3).map((e) => e.method), ['tools/list', 'identity/get', 'identity/challenge'])
      assert.deepEqual(events[3], { type: 'report', verified: true, code: null, did: DID, pin: null })
      const text = JSON.stringify(events)
      assert.ok(!/eyJ/.test(text), 'no token in events')
      assert.ok(r.verified)
    } finally {
      await c.close()
    }
  })
})
