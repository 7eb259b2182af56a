// The 2.x adapter's own checks: loud failures when the SDK changes shape, the entry's module
// formats, and that the shared logic is the one `mcp-attest/mcp` uses.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { McpServer, Server } from '@modelcontextprotocol/server'
import { Client, InMemoryTransport } from '@modelcontextprotocol/client'
import { McpAttestError, SigningKey } from 'mcp-attest'
import * as v2 from 'mcp-attest/mcp/v2'
import * as v1 from 'mcp-attest/mcp'

const { attachIdentity, verifyServer, SdkShapeError } = v2
const key = SigningKey.fromBytes(new Uint8Array(32).fill(1))

describe('mcp-attest/mcp/v2', () => {
  it('attaches to a McpServer and to a low-level Server', () => {
    const a = attachIdentity(new McpServer({ name: 's', version: '1' }), { key })
    assert.equal(a.did, key.verifyingKey().toDidKey())
    const b = attachIdentity(new Server({ name: 's', version: '1' }, { capabilities: {} }), { key })
    assert.equal(b.kid, a.kid)
  })

  it('fails loudly when the SDK changed shape', () => {
    const s = new McpServer({ name: 's', version: '1' })
    s.server._getRequestHandler = undefined
    assert.throws(() => attachIdentity(s, { key }), (e) => e instanceof SdkShapeError && /_getRequestHandler/.test(e.message) && /mcp\/v2/.test(e.message))
    const t = new McpServer({ name: 's', version: '1' })
    t.server._ondiscover = undefined
    assert.throws(() => attachIdentity(t, { key }), (e) => e instanceof SdkShapeError && /_ondiscover/.test(e.message))
    assert.throws(() => attachIdentity({ server: { setRequestHandler() {} } }, { key }), SdkShapeError)
    assert.throws(() => attachIdentity(new McpServer({ name: 's', version: '1' }), {}), (e) => e instanceof McpAttestError && e.code === 'invalid_key')
    assert.throws(() => attachIdentity(new McpServer({ name: 's', version: '1' }), { key, passport: 42 }), (e) => e instanceof McpAttestError && e.code === 'invalid_policy')
    assert.throws(() => attachIdentity('server', { key }), (e) => e instanceof SdkShapeError && /@modelcontextprotocol\/server/.test(e.message))
  })

  // The session lists tools with a raw request; the SDK's own listTools() would also have put
  // the listing in the client's response cache, where callTool finds each tool's output schema.
  // A low-level Server does not check its own output, so only the client's validation can.
  it('leaves the SDK client validating tool output, as its own listTools() would', async () => {
    const s = new Server({ name: 'low', version: '1' }, { capabilities: { tools: {} } })
    s.setRequestHandler('tools/list', async () => ({
      tools: [{ name: 'liar', description: 'declares a number, returns a string', inputSchema: { type: 'object' }, outputSchema: { type: 'object', properties: { n: { type: 'number' } }, required: ['n'] } }],
    }))
    s.setRequestHandler('tools/call', async () => ({ content: [], structuredContent: { n: 'not a number' } }))
    attachIdentity(s, { key })
    const [a, b] = InMemoryTransport.createLinkedPair()
    const client = new Client({ name: 'c', version: '1' })
    await s.connect(a)
    await client.connect(b)
    try {
      assert.deepEqual((await v2.verifiedTools(client, {})).map((t) => t.name), ['liar'])
      await assert.rejects(client.callTool({ name: 'liar', arguments: {} }), /Structured content does not match the tool's output schema/)
    } finally {
      await client.close()
      await s.close()
    }
  })

  it('refuses a client that is not an SDK client', async () => {
    await assert.rejects(verifyServer({}, {}), (e) => e instanceof SdkShapeError && /mcp\/v2/.test(e.message))
  })

  it('shares its constants with mcp-attest/mcp', () => {
    for (const k of ['IDENTITY_KEY', 'SERVER_IDENTITY_KEY', 'METHOD_GET', 'METHOD_CHALLENGE', 'IDENTITY_HEADER', 'CALLER_HTTP_HEADER', 'CALLER_META_KEY']) assert.equal(v2[k], v1[k], k)
    assert.equal(v2.CALLER_HTTP_HEADER, 'MCP-Attest-Caller')
    assert.equal(typeof v2.requireVerified, 'function')
    assert.equal(v2.TrustStore, v1.TrustStore)
    // Each entry bundles its own copy of ts/mcp/shared.ts: the same source, not the same object.
    assert.equal(typeof v2.callerFetch, 'function')
    assert.equal(typeof v2.attachCallerIdentity, 'function')
  })

  it('refuses bad caller options with stable codes, as mcp-attest/mcp does', () => {
    const code = (c) => (e) => e instanceof McpAttestError && e.code === c
    assert.throws(() => attachIdentity(new McpServer({ name: 's', version: '1' }), { key, minTrustLevel: 5 }), code('invalid_policy'))
    assert.throws(() => attachIdentity(new McpServer({ name: 's', version: '1' }), { key, callerTrust: 'store' }), code('invalid_policy'))
    assert.throws(() => v2.attachCallerIdentity({}, { report: {} }), (e) => e instanceof SdkShapeError && /mcp\/v2/.test(e.message))
  })

  it('guards every tools/call, a handler set after connect included', async () => {
    const server = new Server({ name: 'low', version: '1' }, { capabilities: { tools: {} } })
    server.setRequestHandler('tools/list', async () => ({ tools: [{ name: 'late', inputSchema: { type: 'object' } }] }))
    attachIdentity(server, { key, minTrustLevel: 1 })
    const [a, b] = InMemoryTransport.createLinkedPair()
    await server.connect(a)
    const ran = []
    server.setRequestHandler('tools/call', async () => {
      ran.push('late')
      return { content: [] }
    })
    const client = new Client({ name: 'c', version: '1' })
    await client.connect(b)
    try {
      await assert.rejects(client.callTool({ name: 'late', arguments: {} }), (e) => e.code === -31001 && e.data?.reason === 'insufficient_trust_level')
      assert.deepEqual(ran, [])
      const report = await verifyServer(client, {})
      assert.equal(v2.attachCallerIdentity(client, { key: SigningKey.fromBytes(new Uint8Array(32).fill(7)), report }).did.startsWith('did:key:z6Mk'), true)
      await client.callTool({ name: 'late', arguments: {} })
      assert.deepEqual(ran, ['late'])
    } finally {
      await client.close()
      await server.close()
    }
  })

  it('loads as CommonJS too', () => {
    const cjs = createRequire(import.meta.url)('mcp-attest/mcp/v2')
    for (const k of ['attachIdentity', 'verifyServer', 'verifiedTools', 'watchServer', 'attachCallerIdentity', 'callerFetch']) assert.equal(typeof cjs[k], 'function', k)
  })
})
