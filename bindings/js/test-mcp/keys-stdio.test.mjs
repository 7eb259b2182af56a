// The stdio key trap, end to end: a real SDK 1.x client starts a real SDK 1.x stdio server
// twice, pinning its key. The SDK's StdioClientTransport passes the child only a short list
// of environment variables, so a PEM set in the host's environment never reaches the server.
import { describe, it, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport, getDefaultEnvironment } from '@modelcontextprotocol/sdk/client/stdio.js'
import { SigningKey, TrustStore } from 'mcp-attest'
import { verifyServer } from 'mcp-attest/mcp'

const SERVER = fileURLToPath(new URL('./key-server.mjs', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'mcp-attest-stdio-key-'))
after(() => rmSync(dir, { recursive: true, force: true }))

// The host's environment holds the key, as a user following the old guide had it.
const hostKey = SigningKey.generate()
process.env.MCP_ATTEST_PRIVATE_KEY_PEM = hostKey.toPkcs8Pem()

async function start(store, args, env) {
  const client = new Client({ name: 'host', version: '1.0.0' })
  await client.connect(new StdioClientTransport({ command: process.execPath, args: [SERVER, ...args], stderr: 'pipe', ...(env ? { env } : {}) }))
  try {
    return await verifyServer(client, { serverId: `stdio:${args.join(' ')}`, trustStore: store })
  } finally {
    await client.close()
  }
}

describe('a stdio server restarted by its host keeps its key', () => {
  it('the documented pattern (loadOrCreateKey with a path): the pin holds across starts', async () => {
    const store = TrustStore.create()
    const path = join(dir, 'weather', 'server-key.pem')
    const first = await start(store, ['new', path])
    assert.equal(first.verified, true, JSON.stringify(first))
    assert.equal(first.pin, 'first_use')
    assert.equal(statSync(path).mode & 0o777, 0o600)
    const second = await start(store, ['new', path])
    assert.equal(second.verified, true, JSON.stringify(second))
    assert.equal(second.pin, 'match')
    assert.equal(second.server.did, first.server.did)
  })

  it('the PEM passed explicitly in the transport env wins over the file', async () => {
    const store = TrustStore.create()
    const env = { ...getDefaultEnvironment(), MCP_ATTEST_PRIVATE_KEY_PEM: hostKey.toPkcs8Pem().replaceAll('\n', '\\n') }
    const r = await start(store, ['new', join(dir, 'unused.pem')], env)
    assert.equal(r.verified, true, JSON.stringify(r))
    assert.equal(r.server.did, hostKey.verifyingKey().toDidKey())
  })

  it('control: the old pattern (env PEM, else generate) gets a new key each start, and the pin breaks', async () => {
    const store = TrustStore.create()
    const first = await start(store, ['old'])
    assert.equal(first.verified, true, JSON.stringify(first))
    assert.notEqual(first.server.did, hostKey.verifyingKey().toDidKey(), 'the SDK passed the PEM after all')
    const second = await start(store, ['old'])
    assert.equal(second.verified, false)
    assert.equal(second.code, 'pinned_key_changed')
  })
})

describe('attachIdentity with a Signer (a key the library never sees)', () => {
  it('serves a verifiable identity; a failing signer is an error the client sees, not a bad token', async () => {
    const { generateKeyPairSync, sign } = await import('node:crypto')
    const { McpServer } = await import('@modelcontextprotocol/sdk/server/mcp.js')
    const { InMemoryTransport } = await import('@modelcontextprotocol/sdk/inMemory.js')
    const { attachIdentity } = await import('mcp-attest/mcp')
    const { privateKey, publicKey } = generateKeyPairSync('ed25519')
    let fail = false
    const signer = {
      publicKey: new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }).subarray(12)),
      sign(data) {
        if (fail) throw new Error('HSM session closed')
        return new Uint8Array(sign(null, data, privateKey))
      },
    }
    const server = new McpServer({ name: 'hsm', version: '1.0.0' })
    server.registerTool('t', { description: 'T' }, async () => ({ content: [] }))
    const attached = attachIdentity(server, { key: signer })
    const [a, b] = InMemoryTransport.createLinkedPair()
    const client = new Client({ name: 'c', version: '1' })
    await server.connect(a)
    await client.connect(b)
    try {
      const r = await verifyServer(client, {})
      assert.equal(r.verified, true, JSON.stringify(r))
      assert.equal(r.server.did, attached.did)
      fail = true
      const again = await verifyServer(client, { serverId: 'x' })
      assert.equal(again.verified, false)
    } finally {
      await client.close()
      await server.close()
    }
  })
})
