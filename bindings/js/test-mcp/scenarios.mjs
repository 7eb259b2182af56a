// The end-to-end scenarios, run for every pairing of client SDK, server SDK and transport:
// test-mcp/e2e.test.mjs (SDK 1.x ↔ 1.x), test-mcp-v2/e2e.test.mjs (2.x ↔ 2.x, both eras) and
// test-mcp-v2/cross-sdk.test.mjs (1.x ↔ 2.x both ways). `run(flags, fn)` starts a test server
// (test-mcp/server.mjs or test-mcp-v2/server.mjs, same flags) and calls fn(client) with a
// connected client of the SDK whose adapter `api` is (mcp-attest/mcp or mcp-attest/mcp/v2).
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { McpAttestError, SigningKey, TrustStore, TrustedIssuer, issueRevocationList, createChallenge } from 'mcp-attest'
import { z } from 'zod'
import { usable, line, allRefused } from './report.mjs'

const seedKey = (n) => SigningKey.fromBytes(new Uint8Array(32).fill(n))
const DID1 = seedKey(1).verifyingKey().toDidKey()
const DID2 = seedKey(2).verifyingKey().toDidKey()
const ISSUER_ID = 'https://issuer.test'

/** The SDK 2.x server codec rewrites -32002 to -32602 on the wire (observed with 2.4.0); decide on data.reason. */
const REPLAYED = [-32002, -32602]

/**
 * `label`: the describe name; `run(flags, fn)`; `api`: the adapter module; `rugPull`: false when the
 * pairing cannot deliver notifications/tools/list_changed (a stateless HTTP server).
 */
export function defineScenarios(label, { run, api, rugPull = true }) {
  const { verifyServer, verifiedTools, watchServer, requireVerified, METHOD_CHALLENGE } = api
  describe(`${label}`, { concurrency: false }, () => {
    it('an honest server verifies, with a pin on first use, a challenge, and no changes the second time', async () => {
      const store = TrustStore.create()
      await run({}, async (client) => {
        const r = await verifyServer(client, { serverId: 'test-server', trustStore: store })
        assert.equal(r.verified, true, JSON.stringify(r))
        assert.equal(r.code, null)
        assert.equal(r.server.did, DID1)
        assert.equal(r.pin, 'first_use')
        assert.equal(r.challenge, 'verified')
        assert.equal(r.passport.issuer, DID1)
        assert.equal(r.passport.selfIssued, true)
        assert.deepEqual(usable(r), ['add', 'echo'])
        assert.equal(r.changes, null)
        assert.deepEqual((await verifiedTools(client, { expectedKey: DID1 })).map((t) => t.name).sort(), ['add', 'echo'])
        assert.equal(requireVerified(r), r)
        // The capability is advertised (a hint only).
        const caps = client.getServerCapabilities()
        assert.equal(caps.experimental['org.mcp-attest/identity'].did, DID1)
        assert.equal(caps.extensions?.['io.modelcontextprotocol/server-identity']?.version, '1.0.0')
      })
      await run({}, async (client) => {
        const r = await verifyServer(client, { serverId: 'test-server', trustStore: store })
        assert.equal(r.verified, true)
        assert.equal(r.pin, 'match')
        assert.deepEqual(r.changes, { added: [], removed: [], changed: [] })
      })
    })

    it('a tool description changed after signing is refused, the others kept', async () => {
      await run({ tamper: 'description' }, async (client) => {
        const r = await verifyServer(client, {})
        assert.equal(r.verified, false)
        assert.equal(r.server.did, DID1)
        assert.deepEqual(usable(r), ['add'])
        assert.equal(line(r, 'echo').status, 'tampered')
        assert.ok(['manifest_mismatch', 'invalid_signature'].includes(line(r, 'echo').code), line(r, 'echo').code)
        assert.deepEqual((await verifiedTools(client, {})).map((t) => t.name), ['add'])
        assert.throws(() => requireVerified(r), (e) => e instanceof McpAttestError && e.code === r.code && e.message === r.message)
      })
    })

    it('a tool added without a signature is flagged', async () => {
      await run({ tamper: 'add-unsigned' }, async (client) => {
        const r = await verifyServer(client, {})
        assert.equal(r.verified, false)
        assert.deepEqual(usable(r), ['add', 'echo'])
        assert.ok(['not_in_manifest', 'unsigned'].includes(line(r, 'exfiltrate').status), line(r, 'exfiltrate').status)
      })
    })

    it('a rug pull after notifications/tools/list_changed is reported changed, with the field', { skip: !rugPull && 'no list_changed delivery on this pairing' }, async () => {
      await run({ tamper: 'rugpull' }, async (client) => {
        let changed
        const seen = new Promise((resolve) => (changed = resolve))
        const store = TrustStore.create()
        const watch = await watchServer(client, { serverId: 'rug', trustStore: store }, (r) => changed(r))
        assert.equal(watch.current.verified, true)
        assert.deepEqual(usable(watch.current), ['add', 'echo', 'rug_pull'])
        await client.callTool({ name: 'rug_pull', arguments: {} })
        const r = await Promise.race([seen, new Promise((_, rej) => setTimeout(() => rej(new Error('no list_changed')), 10000))])
        // The server re-signed the new description (it holds the key): the signature is valid,
        // but the tool changed after it was accepted.
        assert.equal(r.verified, false)
        assert.deepEqual(usable(r), ['add', 'rug_pull'])
        assert.equal(line(r, 'echo').status, 'changed')
        assert.equal(line(r, 'echo').code, 'tool_changed')
        assert.deepEqual(line(r, 'echo').changedFields, ['description'])
        assert.deepEqual(r.changes.changed, [{ name: 'echo', fields: ['description'] }])
        assert.equal(watch.current, r)
        await watch.stop()
      })
    })

    it('a pinned key that changes is refused; a configured key too', async () => {
      const store = TrustStore.create()
      await run({ seed: 1 }, async (client) => {
        assert.equal((await verifyServer(client, { serverId: 'pinned', trustStore: store })).pin, 'first_use')
      })
      await run({ seed: 2 }, async (client) => {
        const r = await verifyServer(client, { serverId: 'pinned', trustStore: store })
        assert.equal(r.verified, false)
        assert.equal(r.code, 'pinned_key_changed')
        assert.equal(r.pin, 'changed')
        allRefused(r)
        const r2 = await verifyServer(client, { expectedKey: DID1 })
        assert.equal(r2.verified, false)
        assert.equal(typeof r2.code, 'string')
      })
    })

    it('a server restarted with a new key and a rotation signed by the old one: pin rotated, verified', async () => {
      const store = TrustStore.create()
      await run({ seed: 1 }, async (client) => {
        assert.equal((await verifyServer(client, { serverId: 'rot', trustStore: store })).pin, 'first_use')
      })
      await run({ seed: 2, 'rotate-from': 1 }, async (client) => {
        const r = await verifyServer(client, { serverId: 'rot', trustStore: store })
        assert.equal(r.verified, true, JSON.stringify(r))
        assert.equal(r.pin, 'rotated')
        assert.equal(r.server.did, DID2)
        assert.ok(r.rotations.some((x) => x.verified), JSON.stringify(r.rotations))
      })
      // The pin moved: the new key now matches.
      await run({ seed: 2 }, async (client) => {
        assert.equal((await verifyServer(client, { serverId: 'rot', trustStore: store })).pin, 'match')
      })
      // A rotation signed by a key that was never pinned does not move the pin.
      const other = TrustStore.create()
      await run({ seed: 1 }, async (client) => {
        await verifyServer(client, { serverId: 'rot', trustStore: other })
      })
      await run({ seed: 2, 'rotate-from': 3 }, async (client) => {
        const r = await verifyServer(client, { serverId: 'rot', trustStore: other })
        assert.equal(r.verified, false)
        assert.equal(r.code, 'pinned_key_changed')
      })
    })

    it('an expired passport is refused', async () => {
      await run({ passport: 'expired' }, async (client) => {
        const r = await verifyServer(client, {})
        assert.equal(r.verified, false)
        assert.equal(r.code, 'token_expired')
        allRefused(r)
      })
    })

    it("a trusted issuer's passport verifies, and is refused once revoked", async () => {
      const issuer = seedKey(9)
      const store = TrustStore.create()
      store.addIssuer(TrustedIssuer.fromKey(ISSUER_ID, issuer.verifyingKey()))
      await run({ passport: 'issued' }, async (client) => {
        const r = await verifyServer(client, { serverId: 'issued', trustStore: store, allowSelfIssued: false })
        assert.equal(r.verified, true, JSON.stringify(r))
        assert.equal(r.passport.issuer, ISSUER_ID)
      })
      // A self-issued passport is not enough when the policy wants an issuer.
      await run({}, async (client) => {
        const r = await verifyServer(client, { trustStore: TrustStore.create(), serverId: 'x', allowSelfIssued: false })
        assert.equal(r.verified, false)
        assert.equal(typeof r.code, 'string')
      })
      store.addRevocationList(issueRevocationList(issuer, ISSUER_ID, [{ did: DID1, reason: 'compromised' }], { expiresIn: 3600 }))
      await run({ passport: 'issued' }, async (client) => {
        const r = await verifyServer(client, { serverId: 'issued', trustStore: store })
        assert.equal(r.verified, false)
        assert.equal(r.code, 'revoked')
        allRefused(r)
      })
    })

    it('a replayed challenge is refused by the server (data.reason replayed_nonce)', async () => {
      await run({}, async (client) => {
        const params = createChallenge()
        const first = await client.request({ method: METHOD_CHALLENGE, params: { ...params } }, z.object({}).passthrough())
        assert.equal(typeof first.signature, 'string')
        await assert.rejects(
          client.request({ method: METHOD_CHALLENGE, params: { ...params } }, z.object({}).passthrough()),
          (e) => REPLAYED.includes(e.code) && e.data?.reason === 'replayed_nonce' && e.data?.code === 'replayed_nonce',
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

    it('a paginating low-level server verifies page by page', async () => {
      await run({ paginate: 1 }, async (client) => {
        const r = await verifyServer(client, {})
        assert.equal(r.verified, true, JSON.stringify(r))
        assert.deepEqual(r.pages, [1, 1, 1])
        assert.deepEqual(usable(r), ['t1', 't2', 't3'])
        assert.deepEqual((await verifiedTools(client, {})).map((t) => t.name), ['t1', 't2', 't3'])
      })
    })

    for (const tamper of ['drop-page', 'repeat-page']) {
      it(`a relay that answers page 2 with another signed page (${tamper}) is refused`, async () => {
        await run({ paginate: 1, tamper }, async (client) => {
          const r = await verifyServer(client, {})
          assert.equal(r.verified, false)
          assert.equal(typeof r.code, 'string')
          assert.deepEqual(usable(r), [])
          assert.deepEqual(await verifiedTools(client, {}), [])
        })
      })
    }

    it('a server configured with an audience verifies for a client of that audience (the passport carries it)', async () => {
      await run({ audience: 'https://client.test' }, async (client) => {
        const r = await verifyServer(client, { audience: 'https://client.test' })
        assert.equal(r.verified, true, JSON.stringify(r))
        const other = await verifyServer(client, { audience: 'https://other.test' })
        assert.equal(other.verified, false)
        assert.equal(other.code, 'audience_mismatch')
      })
    })
  })

  describe(`${label}: bad input from a server, unverified with a code, never a crash`, { concurrency: false }, () => {
    // The per-tool attestations are checked only with toolSignatures 'always': by default a
    // verified manifest covers the tools (the core's default, DESIGN.md "Tool attestation").
    const cases = [
      ['bad-meta', (r) => {
        assert.equal(r.server.did, DID1)
        assert.ok(!usable(r).includes('echo'))
        assert.equal(typeof line(r, 'echo').code, 'string')
      }],
      ['oversized-sig', (r) => {
        assert.ok(!usable(r).includes('echo'))
        assert.equal(typeof line(r, 'echo').code, 'string')
      }],
      ['foreign-manifest', (r) => {
        assert.deepEqual(usable(r), [])
      }],
      ['bad-result-meta', (r) => {
        assert.equal(typeof r.code, 'string')
        allRefused(r)
      }],
      ['other-nonce', (r) => {
        assert.equal(r.challenge, 'failed')
        assert.equal(r.code, 'invalid_signature')
        assert.equal(r.pin, null)
        allRefused(r)
      }],
    ]
    for (const tamper of ['bad-meta', 'oversized-sig']) {
      it(`${tamper}, by default: the manifest covers the tool`, async () => {
        await run({ tamper }, async (client) => {
          const r = await verifyServer(client, {})
          assert.equal(r.verified, true, JSON.stringify(r))
        })
      })
    }
    for (const [tamper, check] of cases) {
      it(tamper, async () => {
        const store = TrustStore.create()
        await run({ tamper }, async (client) => {
          const r = await verifyServer(client, { serverId: 'bad', trustStore: store, toolSignatures: 'always' })
          assert.equal(r.verified, false)
          assert.equal(typeof r.code, 'string')
          for (const t of r.tools) if (t.status !== 'verified') assert.match(t.code, /^[a-z][a-z0-9_]*$/, JSON.stringify(t))
          check(r)
        })
      })
    }
  })
}
