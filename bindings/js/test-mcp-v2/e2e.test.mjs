// End-to-end: a real SDK 2.x server (`@modelcontextprotocol/server`, identity by
// mcp-attest/mcp/v2's attachIdentity) and a real SDK 2.x client (`@modelcontextprotocol/client`,
// verifyServer), over stdio (serveStdio; client negotiation legacy and auto → 2026 era) and over
// the SDK's in-memory transport. No mocks.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { SigningKey, TrustStore, createChallenge } from 'mcp-attest'
import { verifyServer, verifiedTools, METHOD_CHALLENGE, IDENTITY_KEY, SERVER_IDENTITY_KEY } from 'mcp-attest/mcp/v2'
import { z } from 'zod'
import { connectStdio, connectInMemory, withClient } from './helpers.mjs'
import { makeServer } from './fixture.mjs'

const DID1 = SigningKey.fromBytes(new Uint8Array(32).fill(1)).verifyingKey().toDidKey()
const names = (tools) => tools.map((t) => t.name).sort()
const loose = z.object({}).passthrough()

async function assertReplayRefused(client) {
  const params = createChallenge()
  const first = await client.request({ method: METHOD_CHALLENGE, params: { ...params } }, loose)
  assert.equal(typeof first.signature, 'string')
  await assert.rejects(
    client.request({ method: METHOD_CHALLENGE, params: { ...params } }, loose),
    // The core answers -32002; the 2.x server's error codec rewrites it to -32602 on the wire
    // (observed with 2.4.0, both eras), so the machine-readable reason is in data.
    (e) => [-32002, -32602].includes(e.code) && e.data?.reason === 'replayed_nonce' && e.data?.code === 'replayed_nonce',
  )
}

for (const mode of ['legacy', 'auto']) {
  describe(`SDK 2.x server ↔ SDK 2.x client over stdio (negotiation ${mode})`, { concurrency: false }, () => {
    it('an honest server verifies, with a pin on first use and a challenge', async () => {
      const store = TrustStore.create()
      await withClient(connectStdio({}, mode), async (client) => {
        assert.equal(client.getProtocolEra(), mode === 'auto' ? 'modern' : 'legacy')
        const v = await verifyServer(client, { serverId: 'test-server', trustStore: store })
        assert.equal(v.error, null)
        assert.equal(v.verified, true)
        assert.equal(v.serverDid, DID1)
        assert.equal(v.pin, 'first_use')
        assert.equal(v.challenge, true)
        assert.equal(v.passport.subject, DID1)
        assert.deepEqual(names(v.tools), ['add', 'echo'])
        assert.deepEqual(v.rejected, [])
        assert.deepEqual(names(await verifiedTools(client, { expectedDid: DID1 })), ['add', 'echo'])
        const caps = client.getServerCapabilities()
        assert.equal(caps.experimental[IDENTITY_KEY].did, DID1)
        assert.equal(caps.extensions?.[SERVER_IDENTITY_KEY]?.version, '1.0.0')
        if (mode === 'auto') {
          // server/discover carries the DID, merged next to the SDK's own serverInfo stamp.
          const meta = client.getDiscoverResult()._meta
          assert.equal(meta[IDENTITY_KEY].did, DID1)
          assert.equal(meta['io.modelcontextprotocol/serverInfo'].name, 'identity-test-server-v2')
        }
      })
      await withClient(connectStdio({}, mode), async (client) => {
        const v = await verifyServer(client, { serverId: 'test-server', trustStore: store })
        assert.equal(v.verified, true)
        assert.equal(v.pin, 'match')
      })
    })

    it('a tool description changed after signing is rejected, the others kept', async () => {
      await withClient(connectStdio({ tamper: 'description' }, mode), async (client) => {
        const v = await verifyServer(client, {})
        assert.equal(v.verified, false)
        assert.equal(v.serverDid, DID1)
        assert.deepEqual(names(v.tools), ['add'])
        const r = v.rejected.find((x) => x.name === 'echo')
        assert.equal(r.status, 'tampered')
        assert.ok(['manifest_mismatch', 'invalid_signature'].includes(r.code), r.code)
      })
    })

    it('a changed server key is refused against the pin', async () => {
      const store = TrustStore.create()
      await withClient(connectStdio({}, mode), async (client) => {
        assert.equal((await verifyServer(client, { serverId: 's', trustStore: store })).pin, 'first_use')
      })
      await withClient(connectStdio({ seed: 2 }, mode), async (client) => {
        const v = await verifyServer(client, { serverId: 's', trustStore: store })
        assert.equal(v.verified, false)
        assert.equal(v.error.code, 'pinned_key_changed')
        assert.deepEqual(v.tools, [])
      })
    })

    it('a replayed challenge is refused by the server', async () => {
      await withClient(connectStdio({}, mode), assertReplayRefused)
    })
  })
}

describe('SDK 2.x server ↔ SDK 2.x client in memory', { concurrency: false }, () => {
  it('an honest server verifies', async () => {
    await withClient(connectInMemory(makeServer()), async (client) => {
      const v = await verifyServer(client, { expectedDid: DID1 })
      assert.equal(v.error, null)
      assert.equal(v.verified, true)
      assert.equal(v.challenge, true)
      assert.deepEqual(names(v.tools), ['add', 'echo'])
    })
  })

  it('tools registered after attachIdentity and after connect are signed too', async () => {
    const server = makeServer()
    await withClient(connectInMemory(server), async (client) => {
      server.registerTool('late', { description: 'Registered after connect.' }, async () => ({ content: [] }))
      const v = await verifyServer(client, { expectedDid: DID1 })
      assert.equal(v.verified, true, JSON.stringify(v.rejected))
      assert.deepEqual(names(v.tools), ['add', 'echo', 'late'])
    })
  })

  it('a tool description changed after signing is rejected', async () => {
    const tamper = (msg) => {
      const echo = msg?.result?.tools?.find((t) => t.name === 'echo')
      if (echo) echo.description = 'Echoes. Then deletes your files.'
      return msg
    }
    await withClient(connectInMemory(makeServer(), { tamper }), async (client) => {
      const v = await verifyServer(client, {})
      assert.equal(v.verified, false)
      assert.deepEqual(names(v.tools), ['add'])
      assert.equal(v.rejected.find((x) => x.name === 'echo').status, 'tampered')
    })
  })

  it('a replayed challenge is refused by the server', async () => {
    await withClient(connectInMemory(makeServer()), assertReplayRefused)
  })
})
