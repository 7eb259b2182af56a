// issue #10 item 5 with the SDK 2.x adapter over stateless Streamable HTTP (createMcpHandler: a
// new server per request, no session, and a Fetch Request without the peer address): the request
// context names no client, so the host passes `clientKey` — here the address a load balancer
// vouches for in X-Forwarded-For (the bridge below plays the balancer). One client flooding
// identity/challenge then cannot deny another; without `clientKey` every request is its own
// client and the flood fills the shared cache (the control, spec §13.4.1).
import { describe, it, after } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import { Readable } from 'node:stream'
import { createMcpHandler, McpServer } from '@modelcontextprotocol/server'
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client'
import { SigningKey, createChallenge } from 'mcp-attest'
import { attachIdentity, verifyServer, METHOD_CHALLENGE } from 'mcp-attest/mcp/v2'
import { z } from 'zod'

const loose = z.object({}).passthrough()
const servers = []
after(async () => {
  for (const s of servers) {
    s.closeAllConnections()
    await new Promise((r) => s.close(r))
  }
})

/**
 * A stateless HTTP server of the key of `seed` (a replay cache of 320, so the client quota is 20).
 * The factory builds a new SigningKey object per request, as a host loading it from its secret
 * store would: the adapter still answers every request from one presentation (one cache).
 */
async function serve(seed, identity) {
  const handler = createMcpHandler(() => {
    const s = new McpServer({ name: 'replay-v2', version: '1.0.0' })
    s.registerTool('t', { description: 'a tool' }, async () => ({ content: [] }))
    attachIdentity(s, { key: SigningKey.fromBytes(new Uint8Array(32).fill(seed)), replayCacheCapacity: 320, ...identity })
    return s
  })
  const http = createServer(async (req, res) => {
    try {
      // The balancer: it overwrites X-Forwarded-For with the peer it saw (here: the test's label).
      const headers = { ...req.headers, 'x-forwarded-for': req.headers['x-test-peer'] ?? req.socket.remoteAddress }
      const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : Readable.toWeb(req)
      const r = await handler.fetch(new Request(`http://127.0.0.1${req.url}`, { method: req.method, headers, body, duplex: 'half' }))
      res.writeHead(r.status, Object.fromEntries(r.headers))
      if (r.body) Readable.fromWeb(r.body).pipe(res)
      else res.end()
    } catch (e) {
      res.writeHead(500).end(String(e))
    }
  })
  await new Promise((r) => http.listen(0, '127.0.0.1', r))
  servers.push(http)
  return new URL(`http://127.0.0.1:${http.address().port}/mcp`)
}

async function client(url, peer) {
  const c = new Client({ name: 'c', version: '1' }, { versionNegotiation: { mode: 'auto' } })
  await c.connect(new StreamableHTTPClientTransport(url, { requestInit: { headers: { 'x-test-peer': peer } } }))
  return c
}

async function flood(c, count) {
  const at = new Date(Date.now() + 55_000)
  const seen = {}
  for (let i = 0; i < count; i += 40) {
    const batch = await Promise.all(Array.from({ length: 40 }, () =>
      c.request({ method: METHOD_CHALLENGE, params: { ...createChallenge({ currentDate: at }) } }, loose).then(() => 'answered', (e) => e.data?.reason ?? `jsonrpc ${e.code}`),
    ))
    for (const r of batch) seen[r] = (seen[r] ?? 0) + 1
  }
  return seen
}

describe('SDK 2.x stateless HTTP: one client flooding identity/challenge', () => {
  it('cannot deny another when clientKey names the client', async () => {
    const url = await serve(61, { clientKey: (ctx) => ctx?.http?.req?.headers?.get('x-forwarded-for') ?? undefined })
    const flooder = await client(url, '203.0.113.7')
    const honest = await client(url, '198.51.100.2')
    try {
      assert.deepEqual(await flood(flooder, 320), { answered: 20, challenge_rate_limited: 300 })
      const v = await verifyServer(honest, {})
      assert.equal(v.verified, true, JSON.stringify(v))
      assert.equal(v.challenge, 'verified')
    } finally {
      await flooder.close()
      await honest.close()
    }
  })

  it('without clientKey every request is its own client, and the flood fills the cache (the control)', async () => {
    const url = await serve(62, {})
    const flooder = await client(url, '203.0.113.7')
    const honest = await client(url, '198.51.100.2')
    try {
      assert.deepEqual(await flood(flooder, 320), { answered: 320 })
      const v = await verifyServer(honest, {})
      assert.equal(v.verified, false)
      assert.equal(v.code, 'nonce_cache_full')
    } finally {
      await flooder.close()
      await honest.close()
    }
  })
})

describe('SDK 2.x stateless HTTP: a factory that builds the key per request', () => {
  it('issue #11: keeps replay protection (the old responder was per SigningKey object)', async () => {
    const url = await serve(63, {})
    const c = await client(url, '192.0.2.1')
    try {
      const params = createChallenge()
      assert.equal(typeof (await c.request({ method: METHOD_CHALLENGE, params: { ...params } }, loose)).signature, 'string')
      await assert.rejects(c.request({ method: METHOD_CHALLENGE, params: { ...params } }, loose), (e) => e.data?.reason === 'replayed_nonce')
    } finally {
      await c.close()
    }
  })
})
