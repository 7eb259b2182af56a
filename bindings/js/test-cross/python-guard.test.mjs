// Cross-language caller identity: the TypeScript client (SDK 1.x + mcp-attest/mcp) calling a
// guarded Python server (mcp 2.x + mcp_attest.mcp, bindings/python/tests_mcp/guard_server.py)
// over stdio and Streamable HTTP: anonymous, key-only and issuer-vouched callers, the client's
// own refusal, and proofs replayed, moved, addressed to another server and stale — each refused
// with its code and its handler not run. Then the log the Python server wrote is verified by
// the TypeScript API and by the CLI, and an edited copy is refused with the line named.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { McpError } from '@modelcontextprotocol/sdk/types.js'
import { z } from 'zod'
import { McpAttestError, SigningKey, TrustStore, TrustedIssuer, attachCallerProof, issuePassport, prepareCall } from 'mcp-attest'
import { verifyEvidenceFiles } from 'mcp-attest/fs'
import { connectPython } from './python-process.mjs'
import { attachCallerIdentity, callerFetch, verifyServer } from 'mcp-attest/mcp'

const root = fileURLToPath(new URL('../../../', import.meta.url))
const PYTHON = process.env.MCP_ATTEST_PYTHON ?? `${root}.venv/bin/python`
const SERVER = `${root}bindings/python/tests_mcp/guard_server.py`
const CLI = `${root}target/debug/mcp-attest`
// A missing piece is a failure, not a skip: `just test-cross` builds all three first.
assert.ok(existsSync(PYTHON) && existsSync(SERVER) && existsSync(CLI), `${PYTHON}, ${SERVER} and ${CLI} are needed (run just test-cross)`)

const loose = z.object({}).passthrough()
const SEED = '07'.repeat(32)
const SERVER_DID = SigningKey.fromBytes(new Uint8Array(32).fill(7)).verifyingKey().toDidKey()
const ISSUER_ID = 'https://callers.test'
const issuerKey = SigningKey.fromBytes(new Uint8Array(32).fill(61))
const callerKey = SigningKey.fromBytes(new Uint8Array(32).fill(62))

async function start(transport, dir) {
  const store = TrustStore.create()
  store.addIssuer(TrustedIssuer.fromKey(ISSUER_ID, issuerKey.verifyingKey()))
  writeFileSync(join(dir, 'trust.json'), store.toJson())
  const args = [SERVER, '--seed', SEED, '--evidence', dir, '--min-level', '1', '--vault-level', '3', '--caller-trust', join(dir, 'trust.json')]
  // callerFetch: over HTTP the proof also travels in the MCP-Attest-Caller header.
  return connectPython(PYTHON, args, transport, { name: 'ts-cross-caller', http: { fetch: callerFetch() } })
}

/** `data.reason` of a tools/call refused by the server, or null when it ran. */
async function raw(client, params) {
  try {
    await client.request({ method: 'tools/call', params }, loose)
    return null
  } catch (e) {
    assert.ok(e instanceof McpError, String(e))
    return e.data?.reason ?? `jsonrpc_${e.code}`
  }
}

const ran = (dir) => (existsSync(join(dir, 'ran.txt')) ? readFileSync(join(dir, 'ran.txt'), 'utf8').split('\n').filter(Boolean) : [])

for (const transport of ['stdio', 'http']) {
  describe(`TypeScript caller → guarded Python server (${transport})`, () => {
    it('levels, local refusals, attacks, and the Python log verified by TypeScript and the CLI', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'cross-guard-'))
      try {
        // Attacks first, on a client without the adapter's wrapper: its proofs go out as made.
        const s = await start(transport, dir)
        let report
        try {
          report = await verifyServer(s.client, {})
          assert.equal(report.verified, true, JSON.stringify(report))
          assert.equal(report.server.did, SERVER_DID)
          assert.deepEqual(report.tools.map((t) => [t.name, t.requiredLevel]).sort(), [['add', 1], ['echo', 1], ['shout', 1], ['vault', 3]])

          const echo = { name: 'echo', arguments: { text: 'hi' } }
          assert.equal(await raw(s.client, echo), 'insufficient_trust_level', 'anonymous')
          const sent = prepareCall(echo, { report, key: callerKey })
          assert.equal(await raw(s.client, sent.params), null, 'a proven key')
          assert.equal(await raw(s.client, sent.params), 'replayed_nonce')
          const moved = prepareCall(echo, { report, key: callerKey })
          assert.equal(await raw(s.client, { ...moved.params, name: 'shout' }), 'caller_proof_mismatch')
          const elsewhere = prepareCall(echo, { report: { ...report, server: { ...report.server, did: callerKey.verifyingKey().toDidKey() } }, key: callerKey })
          assert.equal(await raw(s.client, elsewhere.params), 'audience_mismatch')
          const stale = prepareCall(echo, { report, key: callerKey, currentDate: new Date(Date.now() - 600_000) })
          assert.equal(await raw(s.client, stale.params), 'stale_timestamp')
          // prepareCall would not send this; a proof made by hand reaches the server's guard.
          const forced = attachCallerProof(callerKey, SERVER_DID, 'tools/call', { name: 'vault', arguments: {} })
          assert.equal(await raw(s.client, forced.params), 'insufficient_trust_level', 'level 1 below the vault')
        } finally {
          await s.close()
        }
        assert.deepEqual(ran(dir), ['echo'], 'only the one admitted call ran')

        // The adapter: refuses before sending what the key alone cannot show; vouched opens it.
        const t = await start(transport, dir)
        try {
          const r = await verifyServer(t.client, {})
          attachCallerIdentity(t.client, { key: callerKey, report: r })
          const out = await t.client.callTool({ name: 'echo', arguments: { text: 'x' } })
          assert.equal(out.isError ?? false, false)
          await assert.rejects(t.client.callTool({ name: 'vault', arguments: {} }), (e) => e instanceof McpAttestError && e.code === 'insufficient_trust_level')
          const passport = issuePassport(issuerKey, ISSUER_ID, callerKey.verifyingKey(), { name: 'ts-cross-caller' })
          attachCallerIdentity(t.client, { key: callerKey, passport, report: r })
          const opened = await t.client.callTool({ name: 'vault', arguments: {} })
          assert.equal(opened.content[0].text, 'opened')
        } finally {
          await t.close()
        }
        assert.deepEqual(ran(dir), ['echo', 'echo', 'vault'])

        // The Python server's log, verified here and by the CLI: 6 denials and 3 runs.
        const logDir = join(dir, 'log')
        const v = verifyEvidenceFiles(logDir, SigningKey.fromBytes(new Uint8Array(32).fill(7)).verifyingKey())
        assert.equal(v.valid, true, JSON.stringify(v.problems))
        const lines = readdirSync(logDir).sort().flatMap((f) => readFileSync(join(logDir, f), 'utf8').split('\n').filter(Boolean)).map((l) => JSON.parse(l))
        const records = lines.filter((l) => l.decision !== undefined)
        assert.deepEqual(records.map((l) => l.reason ?? l.decision), ['insufficient_trust_level', 'allow', 'replayed_nonce', 'caller_proof_mismatch', 'audience_mismatch', 'stale_timestamp', 'insufficient_trust_level', 'allow', 'allow'])
        assert.equal(records.at(-1).level, 3)
        const cli = (...files) => {
          try {
            return { code: 0, out: execFileSync(CLI, ['--json', 'evidence', 'verify', '--key', SERVER_DID, ...files], { encoding: 'utf8' }) }
          } catch (e) {
            return { code: e.status, out: e.stdout }
          }
        }
        const ok = cli(logDir)
        assert.equal(ok.code, 0, ok.out)
        assert.deepEqual(JSON.parse(ok.out), v, 'the CLI and the npm package report alike')
        // An edited copy: the record is named by its line.
        const file = join(logDir, readdirSync(logDir).sort()[0])
        const text = readFileSync(file, 'utf8').split('\n')
        text[1] = text[1].replace('"decision":"allow"', '"decision":"deny"')
        const edited = join(dir, 'edited.jsonl')
        writeFileSync(edited, text.join('\n'))
        const bad = cli(edited)
        assert.equal(bad.code, 1, bad.out)
        assert.equal(JSON.parse(bad.out).problems[0].line, 2)
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    })
  })
}
