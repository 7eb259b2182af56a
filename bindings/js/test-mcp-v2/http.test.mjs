// End-to-end over Streamable HTTP on 127.0.0.1: a real SDK 2.x `createMcpHandler` (a new server
// per request from the factory, both protocol eras) behind a small node:http bridge, and a real
// SDK 2.x client with StreamableHTTPClientTransport. The server is always stopped.
import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import { Readable } from 'node:stream'
import { createMcpHandler } from '@modelcontextprotocol/server'
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client'
import { SigningKey, createChallenge } from 'mcp-attest'
import { verifyServer, METHOD_CHALLENGE } from 'mcp-attest/mcp/v2'
import { z } from 'zod'
import { makeServer } from './fixture.mjs'

const DID1 = SigningKey.fromBytes(new Uint8Array(32).fill(1)).verifyingKey().toDidKey()
let http
let url
before(async () => {
  const handler = createMcpHandler(() => makeServer())
  http = createServer(async (req, res) => {
    try {
      const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : Readable.toWeb(req)
      const r = await handler.fetch(new Request(`http://127.0.0.1${req.url}`, { method: req.method, headers: req.headers, body, duplex: 'half' }))
      res.writeHead(r.status, Object.fromEntries(r.headers))
      if (r.body) Readable.fromWeb(r.body).pipe(res)
      else res.end()
    } catch (e) {
      res.writeHead(500).end(String(e))
    }
  })
  await new Promise((r) => http.listen(0, '127.0.0.1', r))
  url = new URL(`http://127.0.0.1:${http.address().port}/mcp`)
})
after(async () => {
  http.closeAllConnections()
  await new Promise((r) => http.close(r))
})

async function withHttpClient(mode, fn) {
  const client = new Client({ name: 'identity-test-client-v2', version: '1.0.0' }, { versionNegotiation: { mode } })
  await client.connect(new StreamableHTTPClientTransport(url))
  try {
    return await fn(client)
  } finally {
    await client.close().catch(() => {})
  }
}

for (const mode of ['legacy', 'auto']) {
  describe(`SDK 2.x createMcpHandler ↔ SDK 2.x client over Streamable HTTP (negotiation ${mode})`, { concurrency: false }, () => {
    it('an honest server verifies', async () => {
      await withHttpClient(mode, async (client) => {
        assert.equal(client.getProtocolEra(), mode === 'auto' ? 'modern' : 'legacy')
        const r = await verifyServer(client, { expectedKey: DID1 })
        assert.equal(r.verified, true, JSON.stringify(r))
        assert.equal(r.challenge, 'verified')
        assert.deepEqual(r.tools.map((t) => t.name).sort(), ['add', 'echo'])
      })
    })

    it('a replayed challenge is refused (across per-request server instances)', async () => {
      await withHttpClient(mode, async (client) => {
        const params = createChallenge()
        const loose = z.object({}).passthrough()
        assert.equal(typeof (await client.request({ method: METHOD_CHALLENGE, params: { ...params } }, loose)).signature, 'string')
        await assert.rejects(client.request({ method: METHOD_CHALLENGE, params: { ...params } }, loose), (e) => e.data?.reason === 'replayed_nonce')
      })
    })
  })
}
