// Caller identity end to end (issue #13), shared by the SDK 1.x (caller.test.mjs) and SDK 2.x
// (test-mcp-v2/caller.test.mjs) runs: a real test server process (guards, a trusted caller
// issuer, an evidence log, a count of handler runs: caller-server.mjs) and a real SDK client
// with the adapter's attachCallerIdentity / callerFetch, over stdio or Streamable HTTP.
//
// Every refusal is checked three ways: the JSON-RPC error (code and data.reason), the handler
// not run (the server's --handled file), and a denial record in the server's evidence log,
// which must verify with exactly the records expected.
import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { z } from 'zod'
import { CALLER_HTTP_HEADER, CALLER_META_KEY, McpAttestError, SigningKey, attachCallerProof, issuePassport, prepareCall } from 'mcp-attest'
import { evidenceFiles, verifyEvidenceFiles } from 'mcp-attest/fs'
import { CALLER_ISSUER } from './caller-server.mjs'

const loose = z.object({}).passthrough()
const seedKey = (n) => SigningKey.fromBytes(new Uint8Array(32).fill(n))
const SERVER_A = seedKey(1)
const SERVER_B = seedKey(2)
const CLIENT = seedKey(21)
const CALLER_ISSUER_KEY = seedKey(22)
const CLIENT_DID = CLIENT.verifyingKey().toDidKey()

/** The call records of an evidence log, after checking that the whole log verifies under `key`. */
export function callRecords(dir, key) {
  const report = verifyEvidenceFiles(dir, key.verifyingKey())
  assert.equal(report.valid, true, JSON.stringify(report.problems))
  assert.equal(report.fromGenesis, true)
  const lines = evidenceFiles(dir).flatMap((f) => readFileSync(f, 'utf8').split('\n').filter((l) => l !== ''))
  const records = lines.map((l) => JSON.parse(l)).filter((r) => r.kind === 'call')
  assert.equal(report.records, records.length)
  return records.map((r) => ({ tool: r.tool, decision: r.decision, reason: r.reason, caller: r.caller, level: r.level, ran: r.result !== null || r.error !== null }))
}

/** The JSON-RPC error a request was refused with, as { code, reason, required, level }. */
async function refusal(promise) {
  try {
    await promise
  } catch (e) {
    assert.equal(typeof e.code, 'number', `not a JSON-RPC error: ${e?.stack ?? e}`)
    // The core's message as sent (SDK 1.x clients prefix it once themselves: never twice).
    assert.doesNotMatch(e.message, /MCP error -?\d+: MCP error/)
    return { code: e.code, reason: e.data?.reason, required: e.data?.required, level: e.data?.level }
  }
  assert.fail('the request was answered')
}

const text = (result) => result.content[0].text

/** Sends a tools/call as a client without the adapter would: the SDK's own request, params as given. */
const sendRaw = (client, params) => Object.getPrototypeOf(client).request.call(client, { method: 'tools/call', params }, loose)

/**
 * `connect(flags, transportOptions)` starts the test server with `flags` and returns
 * `{ client, close }`; `http`: the transport is Streamable HTTP (the header cases run).
 */
export function defineCallerScenarios(title, { api, connect, http }) {
  const { attachCallerIdentity, callerFetch, verifyServer } = api

  describe(`${title}: caller identity, guards and evidence`, { concurrency: false }, () => {
    let dir
    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'mcp-attest-caller-'))
    })
    after(() => rmSync(dir, { recursive: true, force: true }))

    /** A fresh server (seed `seed`) with its own evidence log and handler count. */
    async function start(name, flags = {}, transportOptions = {}, seed = 1) {
      const evidence = join(dir, `${name}-evidence`)
      const handled = join(dir, `${name}-handled.txt`)
      const c = await connect({ seed, evidence, handled, ...flags }, transportOptions)
      const ran = () => {
        try {
          return readFileSync(handled, 'utf8').split('\n').filter((l) => l !== '')
        } catch {
          return []
        }
      }
      return { ...c, evidence, ran }
    }

    it('a guarded tool: anonymous refused, a key (level 1) allowed, an issuer-vouched caller (level 3) allowed where 3 is required', async () => {
      const flags = { 'min-level': 1, 'tool-levels': '{"transfer":3}', 'caller-issuer-seed': 22, 'caller-issuer-max': 3 }
      const s = await start('guarded', flags, http ? { fetch: callerFetch() } : {})
      try {
        const report = await verifyServer(s.client, { expectedKey: SERVER_A.verifyingKey().toDidKey() })
        assert.equal(report.verified, true, JSON.stringify(report))
        // The levels are published signed: the report carries them.
        const levels = Object.fromEntries(report.tools.map((t) => [t.name, t.requiredLevel]))
        assert.deepEqual(levels, { add: 1, echo: 1, transfer: 3, whoami: 1 })

        // Anonymous (no identity attached): the server-wide default refuses it.
        assert.deepEqual(await refusal(s.client.callTool({ name: 'echo', arguments: { text: 'anon' } })), { code: -31001, reason: 'insufficient_trust_level', required: 1, level: 0 })
        assert.deepEqual(s.ran(), [])

        // A key alone: level 1.
        const self = attachCallerIdentity(s.client, { key: CLIENT, report })
        assert.equal(self.did, CLIENT_DID)
        assert.equal(text(await s.client.callTool({ name: 'echo', arguments: { text: 'self' } })), 'self')
        assert.deepEqual(JSON.parse(text(await s.client.callTool({ name: 'whoami', arguments: {} }))), { did: CLIENT_DID, level: 1, issuer: null })

        // The per-tool level: the client refuses before sending (the report says 3) …
        await assert.rejects(s.client.callTool({ name: 'transfer', arguments: { amount: 1 } }), (e) => e instanceof McpAttestError && e.code === 'insufficient_trust_level')
        const beforeForced = callRecords(s.evidence, SERVER_A).length
        // … and the server refuses a client that sends anyway (a proof made without the report's guard).
        const forced = attachCallerProof(CLIENT, report.server.did, 'tools/call', { name: 'transfer', arguments: { amount: 2 } })
        assert.deepEqual(await refusal(sendRaw(s.client, forced.params)), { code: -31001, reason: 'insufficient_trust_level', required: 3, level: 1 })
        assert.equal(callRecords(s.evidence, SERVER_A).length, beforeForced + 1, 'the local refusal sent nothing, the forced call left one record')

        // Vouched by an issuer the server trusts (capped at its maxLevel 3).
        const passport = issuePassport(CALLER_ISSUER_KEY, CALLER_ISSUER, CLIENT.verifyingKey(), { name: 'test-client' }, { expiresIn: 3600 })
        attachCallerIdentity(s.client, { key: CLIENT, passport, report })
        assert.equal(text(await s.client.callTool({ name: 'transfer', arguments: { amount: 5 } })), 'moved 5')
        assert.deepEqual(JSON.parse(text(await s.client.callTool({ name: 'whoami', arguments: {} }))), { did: CLIENT_DID, level: 3, issuer: CALLER_ISSUER })

        assert.deepEqual(s.ran(), ['echo', 'whoami', 'transfer', 'whoami'])
        assert.deepEqual(callRecords(s.evidence, SERVER_A), [
          { tool: 'echo', decision: 'deny', reason: 'insufficient_trust_level', caller: null, level: 0, ran: false },
          { tool: 'echo', decision: 'allow', reason: null, caller: CLIENT_DID, level: 1, ran: true },
          { tool: 'whoami', decision: 'allow', reason: null, caller: CLIENT_DID, level: 1, ran: true },
          { tool: 'transfer', decision: 'deny', reason: 'insufficient_trust_level', caller: CLIENT_DID, level: 1, ran: false },
          { tool: 'transfer', decision: 'allow', reason: null, caller: CLIENT_DID, level: 3, ran: true },
          { tool: 'whoami', decision: 'allow', reason: null, caller: CLIENT_DID, level: 3, ran: true },
        ])
      } finally {
        await s.close()
      }
    })

    it('attacks: a proof replayed, moved to another tool, sent to another server, stale — each refused, not run, recorded', async () => {
      const a = await start('attacks-a', { 'min-level': 1 })
      const b = await start('attacks-b', { 'min-level': 1 }, {}, 2)
      try {
        const report = await verifyServer(a.client, { expectedKey: SERVER_A.verifyingKey().toDidKey() })
        assert.equal(report.verified, true, JSON.stringify(report))
        const send = (c, params) => sendRaw(c.client, params)
        const prepared = (args, options = {}) => prepareCall({ name: 'echo', arguments: args }, { report, key: CLIENT, ...options })

        // Replayed: the exact same params, proof included, a second time.
        const once = prepared({ text: 'once' })
        assert.equal(once.params._meta[CALLER_META_KEY].proof, once.proof)
        assert.equal(text(await send(a, once.params)), 'once')
        assert.deepEqual(await refusal(send(a, once.params)), { code: -31002, reason: 'replayed_nonce', required: 1, level: undefined })

        // Moved: the same proof on a call of another tool.
        const moved = prepared({ text: 'moved' })
        assert.equal((await refusal(send(a, { ...moved.params, name: 'whoami' }))).reason, 'caller_proof_mismatch')
        // … or with other arguments.
        assert.equal((await refusal(send(a, { ...moved.params, arguments: { text: 'other' } }))).reason, 'caller_proof_mismatch')

        // Sent to another server: a proof made for A, presented to B.
        const forA = prepared({ text: 'for A' })
        assert.deepEqual(await refusal(send(b, forA.params)), { code: -31002, reason: 'audience_mismatch', required: 1, level: undefined })

        // Stale: made 10 minutes ago.
        const stale = prepared({ text: 'stale' }, { currentDate: new Date(Date.now() - 600_000) })
        assert.equal((await refusal(send(a, stale.params))).reason, 'stale_timestamp')

        assert.deepEqual(a.ran(), ['echo'])
        assert.deepEqual(b.ran(), [])
        const deny = (reason) => ({ tool: 'echo', decision: 'deny', reason, caller: null, level: 0, ran: false })
        assert.deepEqual(callRecords(a.evidence, SERVER_A), [
          { tool: 'echo', decision: 'allow', reason: null, caller: CLIENT_DID, level: 1, ran: true },
          deny('replayed_nonce'),
          { ...deny('caller_proof_mismatch'), tool: 'whoami' },
          deny('caller_proof_mismatch'),
          deny('stale_timestamp'),
        ])
        assert.deepEqual(callRecords(b.evidence, SERVER_B), [deny('audience_mismatch')])
      } finally {
        await a.close()
        await b.close()
      }
    })

    it('a level set after connect is published on the next tools/list and enforced', async () => {
      const s = await start('raise', { 'set-level': 'echo=2' })
      try {
        const expectedKey = SERVER_A.verifyingKey().toDidKey()
        const first = await verifyServer(s.client, { expectedKey })
        assert.equal(first.tools.find((t) => t.name === 'echo').requiredLevel, 0)
        assert.equal(text(await s.client.callTool({ name: 'echo', arguments: { text: 'before' } })), 'before')
        await s.client.callTool({ name: 'raise', arguments: {} })
        const second = await verifyServer(s.client, { expectedKey })
        assert.equal(second.verified, true, JSON.stringify(second))
        assert.equal(second.tools.find((t) => t.name === 'echo').requiredLevel, 2)
        attachCallerIdentity(s.client, { key: CLIENT, report: second })
        await assert.rejects(s.client.callTool({ name: 'echo', arguments: { text: 'after' } }), (e) => e instanceof McpAttestError && e.code === 'insufficient_trust_level')
        const forced = attachCallerProof(CLIENT, second.server.did, 'tools/call', { name: 'echo', arguments: { text: 'after' } })
        assert.deepEqual(await refusal(sendRaw(s.client, forced.params)), { code: -31001, reason: 'insufficient_trust_level', required: 2, level: 1 })
        assert.deepEqual(s.ran(), ['echo'])
        assert.deepEqual(callRecords(s.evidence, SERVER_A).map((r) => `${r.tool}:${r.decision}:${r.reason}`), ['echo:allow:null', 'raise:allow:null', 'echo:deny:insufficient_trust_level'])
      } finally {
        await s.close()
      }
    })

    if (http) {
      it('over HTTP the proof travels in the MCP-Attest-Caller header: used when _meta is stripped, refused when it differs', async () => {
        // The transport's fetch: callerFetch (the adapter's), then what a proxy would do.
        let proxy = (init) => init
        const seen = []
        const inner = async (url, init) => {
          if (typeof init?.body === 'string' && init.body.includes('"tools/call"')) {
            const body = JSON.parse(init.body)
            seen.push({ header: new Headers(init.headers).get(CALLER_HTTP_HEADER), meta: body.params?._meta?.[CALLER_META_KEY]?.proof ?? null })
          }
          return fetch(url, proxy(init))
        }
        const s = await start('header', { 'min-level': 1 }, { fetch: callerFetch(inner) })
        try {
          const report = await verifyServer(s.client, { expectedKey: SERVER_A.verifyingKey().toDidKey() })
          attachCallerIdentity(s.client, { key: CLIENT, report })

          // The header is sent, equal to the proof in _meta.
          assert.equal(text(await s.client.callTool({ name: 'echo', arguments: { text: 'both' } })), 'both')
          assert.equal(seen.length, 1)
          assert.equal(typeof seen[0].header, 'string')
          assert.equal(seen[0].header, seen[0].meta)

          // A proxy that drops the _meta carrier: the header alone still identifies the caller.
          proxy = (init) => {
            const body = JSON.parse(init.body)
            if (body.method !== 'tools/call') return init
            delete body.params._meta[CALLER_META_KEY]
            return { ...init, body: JSON.stringify(body) }
          }
          assert.deepEqual(JSON.parse(text(await s.client.callTool({ name: 'whoami', arguments: {} }))), { did: CLIENT_DID, level: 1, issuer: null })

          // A header proof that differs from the _meta proof.
          const other = prepareCall({ name: 'echo', arguments: { text: 'other' } }, { report, key: CLIENT })
          proxy = (init) => {
            const headers = new Headers(init.headers)
            if (headers.has(CALLER_HTTP_HEADER)) headers.set(CALLER_HTTP_HEADER, other.proof)
            return { ...init, headers }
          }
          assert.equal((await refusal(s.client.callTool({ name: 'echo', arguments: { text: 'mixed' } }))).reason, 'caller_proof_mismatch')

          assert.deepEqual(s.ran(), ['echo', 'whoami'])
          assert.deepEqual(callRecords(s.evidence, SERVER_A), [
            { tool: 'echo', decision: 'allow', reason: null, caller: CLIENT_DID, level: 1, ran: true },
            { tool: 'whoami', decision: 'allow', reason: null, caller: CLIENT_DID, level: 1, ran: true },
            { tool: 'echo', decision: 'deny', reason: 'caller_proof_mismatch', caller: null, level: 0, ran: false },
          ])
        } finally {
          await s.close()
        }
      })
    }
  })
}
