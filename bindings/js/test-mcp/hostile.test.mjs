// A hostile server: whatever it sends after signing (a transport wrapper rewrites the signed
// results), the client reports unverified with a code and never throws or passes a tool through.
// The client checks each tool's own signature too (toolSignatures 'always'), the strictest policy.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js'
import { SigningKey } from 'mcp-attest'
import { attachIdentity, verifyServer, IDENTITY_KEY, SERVER_IDENTITY_KEY } from 'mcp-attest/mcp'

const key = SigningKey.fromBytes(new Uint8Array(32).fill(5))

async function hostile(rewrite, { connectLowLevel = false } = {}) {
  const s = new McpServer({ name: 'hostile', version: '1' })
  attachIdentity(s, { key })
  s.registerTool('a', { description: 'A' }, async () => ({ content: [] }))
  s.registerTool('b', { description: 'B' }, async () => ({ content: [] }))
  const [st, ct] = InMemoryTransport.createLinkedPair()
  const send = st.send.bind(st)
  st.send = (msg, o) => {
    const m = structuredClone(msg)
    if (m.result && typeof m.result === 'object') {
      const kind = Array.isArray(m.result.tools) ? 'tools' : typeof m.result.signature === 'string' ? 'challenge' : m.result.publicKey ? 'identity' : 'other'
      const r = rewrite(kind, m.result, m)
      if (r !== undefined) m.result = r
    }
    return send(m, o)
  }
  await (connectLowLevel ? s.server.connect(st) : s.connect(st))
  const client = new Client({ name: 'c', version: '1' })
  await client.connect(ct)
  try {
    return await verifyServer(client, { maxPages: 5, toolSignatures: 'always', requestOptions: { timeout: 5000 } })
  } finally {
    await client.close()
    await s.close()
  }
}

const CODE = /^[a-z][a-z0-9_]*$/
const unverified = (r) => {
  assert.equal(r.verified, false)
  assert.match(r.code, CODE)
  for (const t of r.tools) if (t.status !== 'verified') assert.match(t.code, CODE, JSON.stringify(t))
}

describe('hostile server', () => {
  it('is signed when mcp.server is connected directly', async () => {
    const r = await hostile(() => undefined, { connectLowLevel: true })
    assert.equal(r.verified, true, JSON.stringify(r))
  })

  const cases = {
    'tools is not an array': (k, r) => (k === 'tools' ? { ...r, tools: 'nope' } : undefined),
    'tools holds non-objects': (k, r) => (k === 'tools' ? { ...r, tools: [1, null, 'x', ...r.tools] } : undefined),
    'result _meta is a string': (k, r) => (k === 'tools' ? { ...r, _meta: 'x' } : undefined),
    'passport is a number': (k, r) => (k === 'tools' ? { ...r, _meta: { [IDENTITY_KEY]: { ...r._meta[IDENTITY_KEY], passport: 12 } } } : undefined),
    'passport is 5 MB': (k, r) => (k === 'tools' ? { ...r, _meta: { [IDENTITY_KEY]: { ...r._meta[IDENTITY_KEY], passport: 'a'.repeat(5_000_000) } } } : undefined),
    'passport of another key': (k, r) => {
      if (k !== 'tools') return undefined
      return { ...r, _meta: { [IDENTITY_KEY]: { ...r._meta[IDENTITY_KEY], passport: 'eyJhbGciOiJFZERTQSJ9.e30.AAAA' } } }
    },
    'manifest is an object': (k, r) => (k === 'tools' ? { ...r, _meta: { [IDENTITY_KEY]: { ...r._meta[IDENTITY_KEY], manifest: { a: 1 } } } } : undefined),
    'manifest removed': (k, r) => (k === 'tools' ? { ...r, _meta: { [IDENTITY_KEY]: { passport: r._meta[IDENTITY_KEY].passport } } } : undefined),
    'per-tool attestation deeply nested': (k, r) => {
      if (k !== 'tools') return undefined
      let deep = {}
      for (let i = 0; i < 5000; i++) deep = { d: deep }
      r.tools[0]._meta[SERVER_IDENTITY_KEY] = deep
      return r
    },
    'signature of the wrong length': (k, r) => {
      if (k !== 'tools') return undefined
      r.tools[0]._meta[SERVER_IDENTITY_KEY].signature = 'AAAA'
      return r
    },
    'endless pagination': (k, r) => (k === 'tools' ? { ...r, nextCursor: 'again' } : undefined),
    'duplicate tool name': (k, r) => (k === 'tools' ? { ...r, tools: [...r.tools, r.tools[0]] } : undefined),
    'identity/get is garbage': (k) => (k === 'identity' ? { publicKey: 'x', attestations: 7 } : undefined),
    'identity/get serves another key': (k, r) => {
      if (k !== 'identity') return undefined
      r.publicKey.x = 'rz0gJk-cJu8IW1zlN_QX1CQDegljpjhv9tBQ5b93NxQ'
      return r
    },
    'challenge answer is not a signature': (k) => (k === 'challenge' ? { signature: 5, kid: [] } : undefined),
    'challenge answer with a huge signature': (k, r) => (k === 'challenge' ? { ...r, signature: 'A'.repeat(1_000_000) } : undefined),
    'challenge answer names another kid': (k, r) => (k === 'challenge' ? { ...r, kid: 'other' } : undefined),
  }
  for (const [name, rewrite] of Object.entries(cases)) {
    it(name, async () => {
      const r = await hostile(rewrite)
      unverified(r)
      // Either the server is refused (no tool usable) or at least one tool is.
      if (r.server === null || r.challenge !== 'verified') assert.ok(r.tools.every((t) => t.status !== 'verified'))
      else assert.ok(r.tools.some((t) => t.status !== 'verified'), JSON.stringify(r.tools))
    })
  }
})

describe('hostile errors', () => {
  it('an identity/challenge error with a junk data.code and a huge message is reduced to a stable code', async () => {
    const s = new McpServer({ name: 'h', version: '1' })
    attachIdentity(s, { key })
    s.registerTool('a', { description: 'A' }, async () => ({ content: [] }))
    const [st, ct] = InMemoryTransport.createLinkedPair()
    const send = st.send.bind(st)
    st.send = (msg, o) => {
      if (msg.result && typeof msg.result.signature === 'string') {
        return send({ jsonrpc: '2.0', id: msg.id, error: { code: -32001, message: 'x'.repeat(100_000), data: { code: 'NOT A CODE <script>', reason: 42 } } }, o)
      }
      return send(msg, o)
    }
    await s.connect(st)
    const client = new Client({ name: 'c', version: '1' })
    await client.connect(ct)
    try {
      const r = await verifyServer(client, {})
      assert.equal(r.verified, false)
      assert.equal(r.challenge, 'failed')
      assert.match(r.code, CODE)
      assert.ok(r.message.length < 1000, r.message.length)
    } finally {
      await client.close()
      await s.close()
    }
  })
})
