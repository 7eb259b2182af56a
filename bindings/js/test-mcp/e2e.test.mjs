// End-to-end: the real SDK 1.x server (server.mjs, identity by attachIdentity) and the real SDK
// 1.x client (verifyServer), over stdio and over Streamable HTTP on 127.0.0.1. No mocks.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { SigningKey, TrustStore, TrustedIssuer, issueRevocationList, createChallenge } from 'mcp-attest'
import { verifyServer, verifiedTools, watchServer, METHOD_CHALLENGE } from 'mcp-attest/mcp'
import { z } from 'zod'
import { TRANSPORTS, withServer, connect } from './helpers.mjs'

const seedKey = (n) => SigningKey.fromBytes(new Uint8Array(32).fill(n))
const DID1 = seedKey(1).verifyingKey().toDidKey()
const ISSUER_ID = 'https://issuer.test'
const names = (tools) => tools.map((t) => t.name).sort()
const rejectedBy = (v, name) => v.rejected.find((r) => r.name === name)

for (const transport of TRANSPORTS) {
  describe(`TS server ↔ TS client over ${transport}`, { concurrency: false }, () => {
    it('an honest server verifies, with a pin on first use and a challenge', async () => {
      const store = TrustStore.create()
      await withServer(transport, {}, async (client) => {
        const v = await verifyServer(client, { serverId: 'test-server', trustStore: store })
        assert.equal(v.error, null)
        assert.equal(v.verified, true)
        assert.equal(v.serverDid, DID1)
        assert.equal(v.pin, 'first_use')
        assert.equal(v.challenge, true)
        assert.equal(v.passport.subject, DID1)
        assert.equal(v.passport.selfIssued, true)
        assert.deepEqual(names(v.tools), ['add', 'echo'])
        assert.deepEqual(v.rejected, [])
        assert.deepEqual(names(await verifiedTools(client, { expectedDid: DID1 })), ['add', 'echo'])
        // The capability is advertised.
        const caps = client.getServerCapabilities()
        assert.equal(caps.experimental['org.mcp-attest/identity'].did, DID1)
        assert.equal(caps.extensions?.['io.modelcontextprotocol/server-identity']?.version, '1.0.0')
      })
      // The same key again: the pin matches.
      await withServer(transport, {}, async (client) => {
        const v = await verifyServer(client, { serverId: 'test-server', trustStore: store })
        assert.equal(v.verified, true)
        assert.equal(v.pin, 'match')
      })
    })

    it('a tool description changed after signing is rejected, the others kept', async () => {
      await withServer(transport, { tamper: 'description' }, async (client) => {
        const v = await verifyServer(client, {})
        assert.equal(v.verified, false)
        assert.equal(v.serverDid, DID1)
        assert.deepEqual(names(v.tools), ['add'])
        const r = rejectedBy(v, 'echo')
        assert.equal(r.status, 'tampered')
        assert.ok(['manifest_mismatch', 'invalid_signature'].includes(r.code), r.code)
        assert.deepEqual(names(await verifiedTools(client, {})), ['add'])
      })
    })

    it('a tool added without a signature is flagged', async () => {
      await withServer(transport, { tamper: 'add-unsigned' }, async (client) => {
        const v = await verifyServer(client, {})
        assert.equal(v.verified, false)
        assert.deepEqual(names(v.tools), ['add', 'echo'])
        const r = rejectedBy(v, 'exfiltrate')
        assert.ok(r, JSON.stringify(v.rejected))
        assert.ok(['not_in_manifest', 'unsigned'].includes(r.status), r.status)
        assert.equal(typeof r.code, 'string')
      })
    })

    it('a rug pull after notifications/tools/list_changed is caught on re-listing', async () => {
      await withServer(transport, { tamper: 'rugpull' }, async (client) => {
        let changed
        const seen = new Promise((resolve) => (changed = resolve))
        const watch = await watchServer(client, {}, (v) => changed(v))
        assert.equal(watch.current.verified, true)
        assert.deepEqual(names(watch.current.tools), ['add', 'echo', 'rug_pull'])
        await client.callTool({ name: 'rug_pull', arguments: {} })
        const v = await Promise.race([seen, new Promise((_, rej) => setTimeout(() => rej(new Error('no list_changed')), 10000))])
        // The server re-signed the new description (it holds the key): the signature is valid,
        // but the tool changed after it was accepted.
        assert.equal(v.verified, false)
        assert.deepEqual(names(v.tools), ['add', 'rug_pull'])
        const r = rejectedBy(v, 'echo')
        assert.equal(r.code, 'tool_changed')
        assert.equal(watch.current, v)
        watch.stop()
      })
    })

    it('a pinned key that changes is refused', async () => {
      const store = TrustStore.create()
      await withServer(transport, { seed: 1 }, async (client) => {
        assert.equal((await verifyServer(client, { serverId: 'pinned', trustStore: store })).pin, 'first_use')
      })
      await withServer(transport, { seed: 2 }, async (client) => {
        const v = await verifyServer(client, { serverId: 'pinned', trustStore: store })
        assert.equal(v.verified, false)
        assert.equal(v.error.code, 'pinned_key_changed')
        assert.deepEqual(v.tools, [])
        assert.ok(v.rejected.every((r) => r.status === 'server_unverified' && r.code === 'pinned_key_changed'))
      })
      // A configured DID is enforced the same way.
      await withServer(transport, { seed: 2 }, async (client) => {
        const v = await verifyServer(client, { expectedDid: DID1 })
        assert.equal(v.error.code, 'pinned_key_changed')
      })
    })

    it('an expired passport is refused', async () => {
      await withServer(transport, { passport: 'expired' }, async (client) => {
        const v = await verifyServer(client, {})
        assert.equal(v.verified, false)
        assert.equal(v.error.code, 'token_expired')
        assert.deepEqual(v.tools, [])
      })
    })

    it("a trusted issuer's passport verifies, and is refused once revoked", async () => {
      const issuer = seedKey(9)
      const store = TrustStore.create()
      store.addIssuer(TrustedIssuer.fromKey(ISSUER_ID, issuer.verifyingKey()))
      await withServer(transport, { passport: 'issued' }, async (client) => {
        const v = await verifyServer(client, { serverId: 'issued', trustStore: store, allowSelfIssued: false })
        assert.equal(v.error, null)
        assert.equal(v.verified, true)
        assert.equal(v.passport.issuer, ISSUER_ID)
        // A self-issued passport is not enough when the policy wants an issuer.
      })
      await withServer(transport, {}, async (client) => {
        const v = await verifyServer(client, { trustStore: TrustStore.create(), serverId: 'x', allowSelfIssued: false })
        assert.equal(v.verified, false)
        assert.equal(typeof v.error.code, 'string')
      })
      store.addRevocationList(issueRevocationList(issuer, ISSUER_ID, [{ did: DID1, reason: 'compromised' }], { expiresIn: 3600 }))
      await withServer(transport, { passport: 'issued' }, async (client) => {
        const v = await verifyServer(client, { serverId: 'issued', trustStore: store })
        assert.equal(v.verified, false)
        assert.equal(v.error.code, 'revoked')
        assert.deepEqual(v.tools, [])
      })
    })

    it('a replayed challenge is refused by the server (data.reason replayed_nonce)', async () => {
      await withServer(transport, {}, async (client) => {
        const params = createChallenge()
        const first = await client.request({ method: METHOD_CHALLENGE, params: { ...params } }, z.object({}).passthrough())
        assert.equal(typeof first.signature, 'string')
        await assert.rejects(
          client.request({ method: METHOD_CHALLENGE, params: { ...params } }, z.object({}).passthrough()),
          (e) => e.code === -32002 && e.data?.reason === 'replayed_nonce' && e.data?.code === 'replayed_nonce',
        )
        const stale = createChallenge({ currentDate: new Date(Date.now() - 3600_000) })
        await assert.rejects(
          client.request({ method: METHOD_CHALLENGE, params: { ...stale } }, z.object({}).passthrough()),
          (e) => e.data?.reason === 'stale_timestamp',
        )
        await assert.rejects(
          client.request({ method: METHOD_CHALLENGE, params: { challenge: 'short', timestamp: 'x' } }, z.object({}).passthrough()),
          (e) => e.code === -32602 && e.data?.reason === 'invalid_params',
        )
      })
    })

    it('identity/get serves a verifiable document', async () => {
      await withServer(transport, {}, async (client) => {
        const doc = await client.request({ method: 'identity/get', params: {} }, z.object({}).passthrough())
        assert.equal(doc.publicKey.kty, 'OKP')
        assert.equal(doc.attestations[0].type, 'self')
      })
    })
  })

  describe(`bad input from a server over ${transport}: unverified with a code, never a crash`, { concurrency: false }, () => {
    const cases = [
      ['bad-meta', (v) => {
        assert.equal(v.serverDid, DID1)
        const r = rejectedBy(v, 'echo')
        assert.ok(r && typeof r.code === 'string', JSON.stringify(v.rejected))
        assert.ok(!names(v.tools).includes('echo'))
      }],
      ['oversized-sig', (v) => {
        const r = rejectedBy(v, 'echo')
        assert.ok(r && typeof r.code === 'string', JSON.stringify(v.rejected))
        assert.ok(!names(v.tools).includes('echo'))
      }],
      ['foreign-manifest', (v) => {
        assert.deepEqual(v.tools, [])
        assert.ok(v.rejected.length >= 2, JSON.stringify(v.rejected))
        assert.ok(v.rejected.every((r) => typeof r.code === 'string' && r.code !== ''))
      }],
      ['bad-result-meta', (v) => {
        assert.equal(v.error.code, 'malformed_token')
        assert.deepEqual(v.tools, [])
      }],
      ['other-nonce', (v) => {
        assert.equal(v.challenge, false)
        assert.equal(v.error.code, 'invalid_signature')
        assert.deepEqual(v.tools, [])
      }],
    ]
    for (const [tamper, check] of cases) {
      it(tamper, async () => {
        await withServer(transport, { tamper }, async (client) => {
          const v = await verifyServer(client, {})
          assert.equal(v.verified, false)
          check(v)
        })
      })
    }
  })
}

describe('HTTP extras', () => {
  it('sends the X-AI-Identity hint and answers CORS preflight', async () => {
    const c = await connect('http', {})
    try {
      const pre = await fetch(c.url, { method: 'OPTIONS', headers: { Origin: 'http://example.test', 'Access-Control-Request-Method': 'POST' } })
      assert.equal(pre.status, 204)
      assert.equal(pre.headers.get('access-control-allow-origin'), '*')
      assert.equal(pre.headers.get('x-ai-identity'), `did=${DID1}`)
      assert.match(pre.headers.get('access-control-expose-headers'), /X-AI-Identity/)
    } finally {
      await c.close()
    }
  })
})

describe('a server without a passport', () => {
  it('is refused by default and accepted on identity/get + challenge when allowed', async () => {
    await withServer('stdio', { passport: 'none' }, async (client) => {
      const v = await verifyServer(client, {})
      assert.equal(v.error.code, 'missing_claim')
      const w = await verifyServer(client, { requirePassport: false })
      assert.equal(w.verified, true)
      assert.equal(w.serverDid, DID1)
      assert.equal(w.passport, null)
    })
  })
})
