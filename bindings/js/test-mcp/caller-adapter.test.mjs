// In-process checks of the caller-identity plumbing of mcp-attest/mcp with real SDK 1.x objects
// (InMemoryTransport): misuse gets stable codes, an evidence log that cannot write fails the call
// closed, callerFetch touches only tools/call bodies with a proof, and the session's dns/txt
// request is answered by the host, never sent to the server.
import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createSocket } from 'node:dgram'
import dns from 'node:dns/promises'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { Server } from '@modelcontextprotocol/sdk/server/index.js'
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js'
import { z } from 'zod'
import { EvidenceLog, McpAttestError, SigningKey, dnsRecordName } from 'mcp-attest'
import { CALLER_HTTP_HEADER, CALLER_META_KEY, attachCallerIdentity, attachIdentity, callerFetch, verifyServer } from 'mcp-attest/mcp'

const key = SigningKey.fromBytes(new Uint8Array(32).fill(61))
const clientKey = SigningKey.fromBytes(new Uint8Array(32).fill(62))
const code = (c) => (e) => e instanceof McpAttestError && e.code === c

async function serve(identity = {}) {
  const server = new McpServer({ name: 'caller-inproc', version: '1.0.0' })
  const ran = []
  server.registerTool('echo', { description: 'Echo', inputSchema: { text: z.string() } }, async ({ text }) => {
    ran.push(text)
    return { content: [{ type: 'text', text }] }
  })
  const attached = attachIdentity(server, { key, ...identity })
  const [a, b] = InMemoryTransport.createLinkedPair()
  await server.connect(a)
  const client = new Client({ name: 'c', version: '1' })
  await client.connect(b)
  return { client, attached, ran, close: async () => { await client.close(); await server.close() } }
}

describe('mcp-attest/mcp caller identity: misuse', () => {
  it('refuses bad server options with invalid_policy', () => {
    const s = () => new McpServer({ name: 'x', version: '1' })
    assert.throws(() => attachIdentity(s(), { key, callerTrust: {} }), code('invalid_policy'))
    assert.throws(() => attachIdentity(s(), { key, evidenceLog: { write() {} } }), code('invalid_policy'))
    assert.throws(() => attachIdentity(s(), { key, minTrustLevel: 9 }), code('invalid_policy'))
    assert.throws(() => attachIdentity(s(), { key, toolTrustLevels: { echo: -1 } }), code('invalid_policy'))
    const a = attachIdentity(s(), { key, minTrustLevel: 1, toolTrustLevels: { echo: 2 } })
    assert.equal(a.presentation.requiredLevel('echo'), 2)
    assert.equal(a.presentation.requiredLevel('other'), 1)
    assert.throws(() => a.setToolTrustLevel('echo', 5), code('invalid_policy'))
    assert.equal(a.callerOf({}), null)
  })

  it('refuses bad client options with stable codes', async () => {
    const c = await serve()
    try {
      const report = await verifyServer(c.client, {})
      assert.throws(() => attachCallerIdentity(c.client, { key: clientKey }), code('invalid_policy'))
      assert.throws(() => attachCallerIdentity(c.client, { key: 'seed', report }), code('invalid_key'))
      assert.throws(() => attachCallerIdentity(c.client, { key: clientKey, report, passport: 7 }), code('invalid_policy'))
      assert.throws(() => attachCallerIdentity({}, { key: clientKey, report }), (e) => e.code === 'unsupported_sdk')
      assert.throws(() => callerFetch('fetch'), code('invalid_policy'))
      // Without a key the client stays anonymous and the did is null.
      assert.deepEqual(attachCallerIdentity(c.client, { report }), { did: null })
    } finally {
      await c.close()
    }
  })

  it('an unverified report with a key refuses to send, with the report code', async () => {
    const c = await serve()
    try {
      const report = await verifyServer(c.client, { expectedKey: SigningKey.generate().verifyingKey() })
      assert.equal(report.verified, false)
      attachCallerIdentity(c.client, { key: clientKey, report })
      await assert.rejects(c.client.callTool({ name: 'echo', arguments: { text: 'x' } }), code(report.code))
      assert.deepEqual(c.ran, [])
    } finally {
      await c.close()
    }
  })
})

describe('mcp-attest/mcp: a low-level Server', () => {
  it('guards a tools/call handler set after connect', async () => {
    const server = new Server({ name: 'low', version: '1' }, { capabilities: { tools: {} } })
    server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: [{ name: 'late', inputSchema: { type: 'object' } }] }))
    attachIdentity(server, { key, minTrustLevel: 1 })
    const [a, b] = InMemoryTransport.createLinkedPair()
    await server.connect(a)
    const ran = []
    server.setRequestHandler(CallToolRequestSchema, async () => {
      ran.push('late')
      return { content: [] }
    })
    const client = new Client({ name: 'c', version: '1' })
    await client.connect(b)
    try {
      await assert.rejects(client.callTool({ name: 'late', arguments: {} }), (e) => e.data?.reason === 'insufficient_trust_level')
      assert.deepEqual(ran, [])
      const report = await verifyServer(client, {})
      attachCallerIdentity(client, { key: clientKey, report })
      await client.callTool({ name: 'late', arguments: {} })
      assert.deepEqual(ran, ['late'])
    } finally {
      await client.close()
      await server.close()
    }
  })
})

describe('mcp-attest/mcp: an evidence log that cannot write fails the call closed', () => {
  function brokenLog() {
    return { log: new EvidenceLog(key), write() { throw new Error('disk full') } }
  }

  it('a refused call: an error, not the refusal; the handler does not run', async () => {
    const c = await serve({ minTrustLevel: 1, evidenceLog: brokenLog() })
    try {
      await assert.rejects(c.client.callTool({ name: 'echo', arguments: { text: 'x' } }), (e) => e.code === -32603 && /disk full/.test(e.message))
      assert.deepEqual(c.ran, [])
    } finally {
      await c.close()
    }
  })

  it('an allowed call: the result is not delivered unrecorded', async () => {
    const c = await serve({ evidenceLog: brokenLog() })
    try {
      await assert.rejects(c.client.callTool({ name: 'echo', arguments: { text: 'x' } }), (e) => e.code === -32603)
    } finally {
      await c.close()
    }
  })

  it('a tool that throws a JSON-RPC error: recorded with its code, the error reaches the client', async () => {
    const writes = []
    const log = { log: new EvidenceLog(key), write: (w) => writes.push(...w) }
    const c = await serve({ evidenceLog: log })
    try {
      // An unknown tool: the SDK's handler throws (or answers isError); either way one allow record.
      const r = await c.client.callTool({ name: 'nope', arguments: {} }).catch((e) => e)
      assert.equal(writes.length, 1)
      const rec = JSON.parse(writes[0].line)
      assert.equal(rec.decision, 'allow')
      assert.equal(rec.tool, 'nope')
      if (r instanceof Error) assert.equal(rec.error, String(r.code))
      else assert.equal(r.isError, true)
    } finally {
      await c.close()
    }
  })
})

describe('callerFetch', () => {
  const proof = 'eyJhbGciOiJFZERTQSJ9.e30.c2ln'
  const body = (method, meta) => JSON.stringify({ jsonrpc: '2.0', id: 1, method, params: { name: 'echo', arguments: {}, ...(meta && { _meta: meta }) } })
  async function sent(init) {
    let got
    await callerFetch(async (_u, i) => {
      got = i
      return new Response('{}')
    })('http://127.0.0.1/mcp', init)
    return got
  }

  it('copies the proof of a tools/call into the header, keeping the other headers', async () => {
    const got = await sent({ method: 'POST', headers: { 'content-type': 'application/json' }, body: body('tools/call', { [CALLER_META_KEY]: { proof } }) })
    const h = new Headers(got.headers)
    assert.equal(h.get(CALLER_HTTP_HEADER), proof)
    assert.equal(h.get('content-type'), 'application/json')
  })

  it('passes every other request unchanged', async () => {
    for (const init of [
      { method: 'POST', body: body('tools/list') },
      { method: 'POST', body: body('tools/call') },
      { method: 'POST', body: body('tools/call', { [CALLER_META_KEY]: { proof: 7 } }) },
      { method: 'POST', body: '{"method":"tools/call", not json' },
      { method: 'GET' },
    ]) {
      assert.equal(await sent(init), init)
    }
  })
})

describe('verifyServer with a domain: the dns/txt request is the host’s', () => {
  async function check(resolveTxt) {
    const c = await serve()
    const methods = []
    const send = c.client.request.bind(c.client)
    c.client.request = (r, ...rest) => {
      methods.push(r.method)
      return send(r, ...rest)
    }
    const asked = []
    try {
      const report = await verifyServer(c.client, {
        domain: 'weather.example',
        resolveTxt: async (name) => {
          asked.push(name)
          return resolveTxt()
        },
      })
      assert.deepEqual(asked, [dnsRecordName('weather.example')])
      assert.equal(methods.includes('dns/txt'), false, 'dns/txt never reaches the MCP server')
      return report
    } finally {
      await c.close()
    }
  }

  it('verified: the record names the key (level 2)', async () => {
    const r = await check(() => [['unrelated'], [key.verifyingKey().dnsRecord()]])
    assert.equal(r.dns, 'verified')
    assert.equal(r.level, 2)
  })

  it('a record for another key is a mismatch; a failed lookup leaves it unchecked', async () => {
    assert.equal((await check(() => [[SigningKey.generate().verifyingKey().dnsRecord()]])).dns, 'mismatch')
    const failed = await check(() => {
      throw Object.assign(new Error('timeout'), { code: 'ETIMEOUT' })
    })
    assert.equal(failed.dns, 'unchecked')
    assert.equal(failed.level, 1)
  })

  it('a record split into several strings is joined', async () => {
    const record = key.verifyingKey().dnsRecord()
    assert.equal((await check(() => [[record.slice(0, 10), record.slice(10)]])).dns, 'verified')
  })
})

// The default resolver (node:dns/promises, imported by the adapter on first use) against a real
// DNS server: dnsmasq on a free loopback port, authoritative for .test. Skipped, saying so, when
// dnsmasq is not installed (.ci/run installs dnsmasq-base, as for the CLI's DNS tests).
const DNSMASQ = ['/usr/sbin/dnsmasq', '/usr/bin/dnsmasq'].find((p) => existsSync(p))
describe('verifyServer with a domain and the default resolver (dnsmasq)', { skip: DNSMASQ === undefined && 'dnsmasq is not installed' }, () => {
  let child
  let servers
  before(async () => {
    // The port is free when found and released, then another process may take it (dnsmasq
    // listens on UDP and TCP): a start that meets "Address already in use" tries another.
    let port
    for (let attempt = 0; attempt < 5; attempt++) {
      port = await new Promise((resolve) => {
        const s = createSocket('udp4')
        s.bind(0, '127.0.0.1', () => {
          const p = s.address().port
          s.close(() => resolve(p))
        })
      })
      child = start(port)
      let err = ''
      child.stderr.on('data', (d) => (err += d))
      const exited = await new Promise((resolve) => {
        const t = setTimeout(() => resolve(false), 300)
        child.once('exit', () => {
          clearTimeout(t)
          resolve(true)
        })
      })
      if (!exited) break
      if (!err.includes('Address already in use')) throw new Error(`dnsmasq exited: ${err}`)
    }
    servers = dns.getServers()
    dns.setServers([`127.0.0.1:${port}`])
    for (let i = 0; ; i++) {
      try {
        await dns.resolveTxt(dnsRecordName('weather.test'))
        break
      } catch (e) {
        if (i === 50 || child.exitCode !== null) throw new Error(`dnsmasq did not answer: ${e.message}`, { cause: e })
        await new Promise((r) => setTimeout(r, 100))
      }
    }
  })
  const start = (port) =>
    spawn(DNSMASQ, [
      '--no-daemon', '--keep-in-foreground', `--port=${port}`, '--listen-address=127.0.0.1', '--bind-interfaces',
      '--no-resolv', '--no-hosts', '--local=/test/', '--conf-file=/dev/null', '--pid-file=', '--user=',
      `--txt-record=${dnsRecordName('weather.test')},${key.verifyingKey().dnsRecord()}`,
    ], { stdio: ['ignore', 'ignore', 'pipe'] })
  after(() => {
    dns.setServers(servers)
    child?.kill('SIGKILL')
  })

  it('a record naming the key: verified, level 2; no such name: absent', async () => {
    const c = await serve()
    try {
      const r = await verifyServer(c.client, { domain: 'weather.test' })
      assert.equal(r.dns, 'verified', JSON.stringify(r))
      assert.equal(r.level, 2)
      const none = await verifyServer(c.client, { domain: 'nothing.test' })
      assert.equal(none.dns, 'absent', JSON.stringify(none))
      assert.equal(none.level, 1)
    } finally {
      await c.close()
    }
  })
})
