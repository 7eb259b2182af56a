// End-to-end: a real SDK 2.x server (`@modelcontextprotocol/server`, identity by
// mcp-attest/mcp/v2's attachIdentity) and a real SDK 2.x client (`@modelcontextprotocol/client`,
// verifyServer → the core's report), over stdio (serveStdio; client negotiation legacy and
// auto → 2026 era), Streamable HTTP (createMcpHandler) and the SDK's in-memory transport. The
// scenarios are test-mcp/scenarios.mjs, the same as SDK 1.x. No mocks.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { SigningKey, TrustStore, createChallenge } from 'mcp-attest'
import * as v2 from 'mcp-attest/mcp/v2'
import { z } from 'zod'
import { connectStdio, connectHttp, connectInMemory, withClient } from './helpers.mjs'
import { defineScenarios } from '../test-mcp/scenarios.mjs'
import { usable, line } from '../test-mcp/report.mjs'

const { verifyServer, METHOD_CHALLENGE, IDENTITY_KEY, SERVER_IDENTITY_KEY } = v2
import { makeServer } from './fixture.mjs'

const DID1 = SigningKey.fromBytes(new Uint8Array(32).fill(1)).verifyingKey().toDidKey()
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
  defineScenarios(`SDK 2.x server ↔ SDK 2.x client over stdio (negotiation ${mode})`, { api: v2, run: (flags, fn) => withClient(connectStdio(flags, mode), fn) })
  // createMcpHandler builds a server per request: on the 2025 era (stateless fallback) no stream
  // stays open after a response, so a list_changed has nowhere to go; on the 2026 era it reaches
  // the client's subscriptions/listen stream through the handler's event bus.
  defineScenarios(`SDK 2.x createMcpHandler ↔ SDK 2.x client over Streamable HTTP (negotiation ${mode})`, { api: v2, rugPull: mode === 'auto', run: (flags, fn) => withClient(connectHttp(flags, mode), fn) })

  describe(`SDK 2.x over stdio (negotiation ${mode}): the protocol era`, () => {
    it('is the one negotiated, and server/discover carries the DID on the 2026 era', async () => {
      await withClient(connectStdio({}, mode), async (client) => {
        assert.equal(client.getProtocolEra(), mode === 'auto' ? 'modern' : 'legacy')
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
    })
  })
}

describe('SDK 2.x server ↔ SDK 2.x client in memory', { concurrency: false }, () => {
  it('an honest server verifies', async () => {
    await withClient(connectInMemory(makeServer()), async (client) => {
      const r = await verifyServer(client, { expectedKey: DID1 })
      assert.equal(r.verified, true, JSON.stringify(r))
      assert.equal(r.challenge, 'verified')
      assert.deepEqual(usable(r), ['add', 'echo'])
    })
  })

  it('tools registered after attachIdentity and after connect are signed too', async () => {
    const server = makeServer()
    await withClient(connectInMemory(server), async (client) => {
      server.registerTool('late', { description: 'Registered after connect.' }, async () => ({ content: [] }))
      const r = await verifyServer(client, { expectedKey: DID1 })
      assert.equal(r.verified, true, JSON.stringify(r))
      assert.deepEqual(usable(r), ['add', 'echo', 'late'])
    })
  })

  it('a tool description changed after signing is rejected', async () => {
    const tamper = (msg) => {
      const echo = msg?.result?.tools?.find((t) => t.name === 'echo')
      if (echo) echo.description = 'Echoes. Then deletes your files.'
      return msg
    }
    await withClient(connectInMemory(makeServer(), { tamper }), async (client) => {
      const r = await verifyServer(client, {})
      assert.equal(r.verified, false)
      assert.deepEqual(usable(r), ['add'])
      assert.equal(line(r, 'echo').status, 'tampered')
    })
  })

  it('a replayed challenge is refused by the server', async () => {
    await withClient(connectInMemory(makeServer()), assertReplayRefused)
  })
})

describe('watchServer on the 2026 era', () => {
  it('opens a subscriptions/listen stream for tools, reports the rug pull through it, and closes it on stop()', async () => {
    await withClient(connectStdio({ tamper: 'rugpull' }, 'auto'), async (client) => {
      assert.equal(client.getProtocolEra(), 'modern')
      const listen = client.listen.bind(client)
      const filters = []
      let closed = 0
      client.listen = async (filter, options) => {
        filters.push(filter)
        const sub = await listen(filter, options)
        return { ...sub, close: async () => { closed++; await sub.close() } }
      }
      let changed
      const seen = new Promise((resolve) => (changed = resolve))
      const watch = await v2.watchServer(client, { serverId: 'rug', trustStore: TrustStore.create() }, (r) => changed(r))
      assert.deepEqual(filters, [{ toolsListChanged: true }])
      await client.callTool({ name: 'rug_pull', arguments: {} })
      const r = await Promise.race([seen, new Promise((_, rej) => setTimeout(() => rej(new Error('no list_changed on the listen stream')), 10000))])
      assert.equal(line(r, 'echo').status, 'changed')
      await watch.stop()
      assert.equal(closed, 1)
    })
  })

  it('does not call listen on a 2025-era connection (it throws there; the server sends list_changed unsolicited)', async () => {
    await withClient(connectStdio({}, 'legacy'), async (client) => {
      client.listen = async () => assert.fail('listen on a legacy connection')
      const watch = await v2.watchServer(client, { serverId: 'w', trustStore: TrustStore.create() })
      assert.equal(watch.current.verified, true)
      await watch.stop()
    })
  })
})
