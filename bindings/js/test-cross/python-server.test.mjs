// Cross-language: the TypeScript client (SDK 1.x + mcp-attest/mcp) against the Python server
// (mcp 2.x + mcp_attest.mcp, bindings/python/tests_mcp/server.py), over stdio and Streamable
// HTTP on 127.0.0.1. The same scenarios as each adapter's own suite; servers always stopped.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { z } from 'zod'
import { TrustStore, createChallenge } from 'mcp-attest'
import { verifyServer, verifiedTools, watchServer, METHOD_CHALLENGE } from 'mcp-attest/mcp'
import { usable, line, allRefused } from '../test-mcp/report.mjs'
import { connectPython } from './python-process.mjs'

const root = fileURLToPath(new URL('../../../', import.meta.url))
// Overridable to run against another checkout's Python side (e.g. a branch being merged).
const PYTHON = process.env.MCP_ATTEST_PYTHON ?? `${root}.venv/bin/python`
const SERVER = process.env.MCP_ATTEST_PY_SERVER ?? `${root}bindings/python/tests_mcp/server.py`
const SEED_A = '01'.repeat(32)
const SEED_B = '02'.repeat(32)

// A missing interpreter or server is a failure, not a skip: `just test-cross` builds both first.
assert.ok(existsSync(PYTHON) && existsSync(SERVER), `${PYTHON} and ${SERVER} are needed (run just test-cross)`)
// Flags the Python test server gained with the Python adapter rewrite (issue #11): without them
// the rotation and pagination scenarios say so and skip.
const HELP = execFileSync(PYTHON, [SERVER, '--help'], { encoding: 'utf8' })
const has = (flag) => HELP.includes(flag) || `the Python test server has no ${flag}`
const needs = (flag) => (has(flag) === true ? {} : { skip: has(flag) })

function args(flags) {
  return [SERVER, ...Object.entries({ seed: SEED_A, ...flags }).flatMap(([k, v]) => [`--${k}`, String(v)])]
}

function connect(transport, flags = {}) {
  return connectPython(PYTHON, args(flags), transport)
}

async function withServer(transport, flags, fn) {
  const c = await connect(transport, flags)
  try {
    return await fn(c.client)
  } finally {
    await c.close()
  }
}

const SEED_C = '03'.repeat(32)
const policy = (store = TrustStore.create()) => ({ serverId: 'python-server', trustStore: store })

for (const transport of ['stdio', 'http']) {
  describe(`TypeScript client, Python server, over ${transport}`, { concurrency: false }, () => {
    it('an honest server verifies, with every tool; the second time nothing changed', async () => {
      const store = TrustStore.create()
      await withServer(transport, {}, async (client) => {
        const r = await verifyServer(client, policy(store))
        assert.equal(r.verified, true, JSON.stringify(r))
        assert.equal(r.pin, 'first_use')
        assert.equal(r.challenge, 'verified')
        assert.ok(usable(r).includes('echo') && usable(r).includes('add'), JSON.stringify(usable(r)))
      })
      await withServer(transport, {}, async (client) => {
        const r = await verifyServer(client, policy(store))
        assert.equal(r.pin, 'match')
        assert.deepEqual(r.changes, { added: [], removed: [], changed: [] })
      })
    })

    it('a description changed after signing is refused', async () => {
      await withServer(transport, { tamper: 'description' }, async (client) => {
        const r = await verifyServer(client, policy())
        assert.equal(r.verified, false)
        assert.equal(line(r, 'echo').status, 'tampered')
        assert.ok(!usable(r).includes('echo'))
        assert.ok(usable(r).includes('add'))
      })
    })

    it('a tool added without a signature is flagged', async () => {
      await withServer(transport, { tamper: 'unsigned-tool' }, async (client) => {
        const r = await verifyServer(client, policy())
        assert.equal(r.verified, false)
        const bad = r.tools.filter((t) => t.status !== 'verified')
        assert.ok(bad.length === 1 && ['unsigned', 'not_in_manifest'].includes(bad[0].status), JSON.stringify(bad))
      })
    })

    it('a rug pull after notifications/tools/list_changed is reported changed', async () => {
      await withServer(transport, {}, async (client) => {
        let changed
        const seen = new Promise((resolve) => (changed = resolve))
        const watch = await watchServer(client, policy(), (r) => changed(r))
        assert.equal(watch.current.verified, true)
        await client.callTool({ name: 'rug_pull', arguments: {} })
        const r = await Promise.race([seen, new Promise((_, rej) => setTimeout(() => rej(new Error('no list_changed from the Python server')), 15000))])
        assert.equal(r.verified, false)
        assert.equal(line(r, 'echo').status, 'changed')
        assert.equal(line(r, 'echo').code, 'tool_changed')
        assert.ok(line(r, 'echo').changedFields.length > 0)
        await watch.stop()
      })
    })

    it('a pinned key that changes is refused', async () => {
      const store = TrustStore.create()
      await withServer(transport, { seed: SEED_A }, async (client) => {
        assert.equal((await verifyServer(client, policy(store))).pin, 'first_use')
      })
      await withServer(transport, { seed: SEED_B }, async (client) => {
        const r = await verifyServer(client, policy(store))
        assert.equal(r.code, 'pinned_key_changed')
        allRefused(r)
      })
    })

    it('a restart with a new key and a rotation signed by the old one: pin rotated', needs('--rotate-from'), async () => {
      const store = TrustStore.create()
      await withServer(transport, { seed: SEED_A }, async (client) => {
        assert.equal((await verifyServer(client, policy(store))).pin, 'first_use')
      })
      await withServer(transport, { seed: SEED_B, 'rotate-from': SEED_A }, async (client) => {
        const r = await verifyServer(client, policy(store))
        assert.equal(r.verified, true, JSON.stringify(r))
        assert.equal(r.pin, 'rotated')
      })
      await withServer(transport, { seed: SEED_C, 'rotate-from': SEED_A }, async (client) => {
        // The pin moved to B: a rotation signed by A no longer vouches for anything.
        assert.equal((await verifyServer(client, policy(store))).code, 'pinned_key_changed')
      })
    })

    it('a paginating server verifies; a dropped or repeated page is refused', needs('paginated'), async () => {
      await withServer(transport, { server: 'paginated' }, async (client) => {
        const r = await verifyServer(client, policy())
        assert.equal(r.verified, true, JSON.stringify(r))
        assert.ok(r.pages.length > 1, JSON.stringify(r.pages))
        assert.equal((await verifiedTools(client, {})).length, r.tools.length)
      })
      for (const tamper of ['drop-page', 'repeat-page']) {
        await withServer(transport, { server: 'paginated', tamper }, async (client) => {
          const r = await verifyServer(client, policy())
          assert.equal(r.verified, false, tamper)
          assert.deepEqual(usable(r), [], tamper)
        })
      }
    })

    it('an expired passport is refused', async () => {
      await withServer(transport, { passport: 'expired' }, async (client) => {
        const r = await verifyServer(client, policy())
        assert.equal(r.code, 'token_expired')
        allRefused(r)
      })
    })

    it('a replayed challenge is refused (-32002, data.reason replayed_nonce)', async () => {
      await withServer(transport, {}, async (client) => {
        const params = createChallenge()
        const first = await client.request({ method: METHOD_CHALLENGE, params: { ...params } }, z.object({}).passthrough())
        assert.equal(typeof first.signature, 'string')
        await assert.rejects(
          client.request({ method: METHOD_CHALLENGE, params: { ...params } }, z.object({}).passthrough()),
          (e) => e.code === -32002 && e.data?.reason === 'replayed_nonce',
        )
      })
    })

    for (const tamper of ['bad-meta', 'big-signature', 'foreign-manifest', 'wrong-nonce', 'bad-challenge', 'meta-not-object']) {
      it(`a hostile server (${tamper}) is unverified with a code`, async () => {
        await withServer(transport, { tamper }, async (client) => {
          const r = await verifyServer(client, { ...policy(), toolSignatures: 'always' })
          assert.equal(r.verified, false)
          assert.match(r.code, /^[a-z][a-z0-9_]*$/)
          for (const t of r.tools) if (t.status !== 'verified') assert.match(t.code, /^[a-z][a-z0-9_]*$/)
        })
      })
    }
  })
}
