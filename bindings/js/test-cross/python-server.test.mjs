// Cross-language: the TypeScript client (SDK 1.x + mcp-attest/mcp) against the Python server
// (mcp 2.x + mcp_attest.mcp, bindings/python/tests_mcp/server.py), over stdio and Streamable
// HTTP on 127.0.0.1. The same scenarios as each adapter's own suite; servers always stopped.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { z } from 'zod'
import { TrustStore, createChallenge } from 'mcp-attest'
import { verifyServer, watchServer, METHOD_CHALLENGE } from 'mcp-attest/mcp'

const root = fileURLToPath(new URL('../../../', import.meta.url))
const PYTHON = `${root}.venv/bin/python`
const SERVER = `${root}bindings/python/tests_mcp/server.py`
const SEED_A = '01'.repeat(32)
const SEED_B = '02'.repeat(32)

// A missing interpreter or server is a failure, not a skip: `just test-cross` builds both first.
assert.ok(existsSync(PYTHON) && existsSync(SERVER), `${PYTHON} and ${SERVER} are needed (run just test-cross)`)

function args(flags) {
  return [SERVER, ...Object.entries({ seed: SEED_A, ...flags }).flatMap(([k, v]) => [`--${k}`, String(v)])]
}

async function connect(transport, flags = {}) {
  const client = new Client({ name: 'ts-cross-client', version: '1.0.0' })
  if (transport === 'stdio') {
    await client.connect(new StdioClientTransport({ command: PYTHON, args: [...args(flags), '--transport', 'stdio'], stderr: 'ignore' }))
    return { client, close: () => client.close().catch(() => {}) }
  }
  const child = spawn(PYTHON, [...args(flags), '--transport', 'http', '--port', '0'], { stdio: ['ignore', 'pipe', 'ignore'] })
  const stop = async () => {
    if (child.exitCode !== null) return
    const gone = new Promise((r) => child.once('exit', r))
    child.kill('SIGTERM')
    const t = setTimeout(() => child.kill('SIGKILL'), 5000)
    await gone
    clearTimeout(t)
  }
  try {
    const url = await new Promise((resolve, reject) => {
      let out = ''
      const timer = setTimeout(() => reject(new Error('the Python server did not start')), 30000)
      child.stdout.on('data', (d) => {
        out += d
        const m = /LISTENING (\S+)/.exec(out)
        if (m) {
          clearTimeout(timer)
          resolve(m[1])
        }
      })
      child.once('exit', (code) => {
        clearTimeout(timer)
        reject(new Error(`the Python server exited with ${code}`))
      })
    })
    await client.connect(new StreamableHTTPClientTransport(new URL(url)))
  } catch (e) {
    await stop()
    throw e
  }
  return { client, close: async () => { await client.close().catch(() => {}); await stop() } }
}

async function withServer(transport, flags, fn) {
  const c = await connect(transport, flags)
  try {
    return await fn(c.client)
  } finally {
    await c.close()
  }
}

const names = (tools) => tools.map((t) => t.name).sort()
const policy = (store = TrustStore.create()) => ({ serverId: 'python-server', trustStore: store })

for (const transport of ['stdio', 'http']) {
  describe(`TypeScript client, Python server, over ${transport}`, { concurrency: false }, () => {
    it('an honest server verifies, with every tool', async () => {
      await withServer(transport, {}, async (client) => {
        const v = await verifyServer(client, policy())
        assert.equal(v.verified, true, JSON.stringify(v.error ?? v.rejected))
        assert.equal(v.pin, 'first_use')
        assert.equal(v.challenge, true)
        assert.deepEqual(names(v.tools), ['add', 'echo', 'rug_pull'])
      })
    })

    it('a description changed after signing is rejected', async () => {
      await withServer(transport, { tamper: 'description' }, async (client) => {
        const v = await verifyServer(client, policy())
        assert.equal(v.verified, false)
        const r = v.rejected.find((x) => x.name === 'echo')
        assert.ok(r && r.status === 'tampered', JSON.stringify(v.rejected))
        assert.deepEqual(names(v.tools), ['add', 'rug_pull'])
      })
    })

    it('a tool added without a signature is flagged', async () => {
      await withServer(transport, { tamper: 'unsigned-tool' }, async (client) => {
        const v = await verifyServer(client, policy())
        assert.equal(v.verified, false)
        assert.ok(v.rejected.length === 1 && ['unsigned', 'not_in_manifest'].includes(v.rejected[0].status), JSON.stringify(v.rejected))
        assert.deepEqual(names(v.tools), ['add', 'echo', 'rug_pull'])
      })
    })

    it('a rug pull after notifications/tools/list_changed is caught on re-listing', async () => {
      await withServer(transport, {}, async (client) => {
        let changed
        const seen = new Promise((resolve) => (changed = resolve))
        const watch = await watchServer(client, policy(), (v) => changed(v))
        assert.equal(watch.current.verified, true)
        await client.callTool({ name: 'rug_pull', arguments: {} })
        const v = await Promise.race([seen, new Promise((_, rej) => setTimeout(() => rej(new Error('no list_changed from the Python server')), 15000))])
        assert.equal(v.verified, false)
        assert.equal(v.rejected.find((x) => x.name === 'echo')?.code, 'tool_changed')
        watch.stop()
      })
    })

    it('a pinned key that changes is refused', async () => {
      const store = TrustStore.create()
      await withServer(transport, { seed: SEED_A }, async (client) => {
        assert.equal((await verifyServer(client, policy(store))).pin, 'first_use')
      })
      await withServer(transport, { seed: SEED_B }, async (client) => {
        const v = await verifyServer(client, policy(store))
        assert.equal(v.verified, false)
        assert.equal(v.error?.code, 'pinned_key_changed')
        assert.deepEqual(v.tools, [])
      })
    })

    it('an expired passport is refused', async () => {
      await withServer(transport, { passport: 'expired' }, async (client) => {
        const v = await verifyServer(client, policy())
        assert.equal(v.verified, false)
        assert.equal(v.error?.code, 'token_expired')
        assert.deepEqual(v.tools, [])
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
  })
}
