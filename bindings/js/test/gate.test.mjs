// The call gate through the npm package: a guarded server publishes its levels in the signed
// manifest, a client session shows them, prepareCall refuses locally what the client cannot
// satisfy, and admitCall/completeCall decide each call with evidence in real files.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import * as lib from 'mcp-attest'
import { openEvidenceLog, verifyEvidenceFiles } from 'mcp-attest/fs'

const serverKey = lib.SigningKey.fromBytes(new Uint8Array(32).fill(51))
const clientKey = lib.SigningKey.fromBytes(new Uint8Array(32).fill(52))
const issuerKey = lib.SigningKey.fromBytes(new Uint8Array(32).fill(53))
const LIST = { tools: [{ name: 'echo', inputSchema: { type: 'object' } }, { name: 'delete', inputSchema: { type: 'object' } }] }

/** A client session against `server` in process; `dns` answers the session's dns/txt request. */
function session(server, policy = {}, dns) {
  const s = new lib.ClientSession(policy)
  for (let r = s.nextRequest(); r !== null; r = s.nextRequest()) {
    if (r.method === 'tools/list') s.receiveResult(server.signToolsList(LIST))
    else if (r.method === 'identity/get') s.receiveResult(server.identityGet())
    else if (r.method === 'identity/challenge') {
      const a = server.answerChallenge(r.params, 'c')
      assert.ok('result' in a, JSON.stringify(a))
      s.receiveResult(a.result)
    } else if (r.method === 'dns/txt') {
      assert.equal(r.params.name, '_mcp-identity.weather.example')
      const answer = dns()
      if (answer === null) s.receiveError(-32603, 'no resolver')
      else s.receiveResult({ records: answer })
    } else assert.fail(`unexpected ${r.method}`)
  }
  return s.report
}

test('levels are published signed, refused locally, and decided by the gate with evidence', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gate-'))
  try {
    const server = new lib.ServerPresentation(serverKey, { minTrustLevel: 1, toolTrustLevels: { delete: 3 } })
    const store = lib.TrustStore.create()
    store.addIssuer(lib.TrustedIssuer.fromDidKey(issuerKey.verifyingKey().toDidKey()))
    server.setCallerTrust(store)
    const report = session(server)
    assert.equal(report.verified, true)
    assert.deepEqual(report.tools.map((t) => [t.name, t.requiredLevel]), [['echo', 1], ['delete', 3]])

    const echo = { name: 'echo', arguments: { text: 'hi' } }
    const del = { name: 'delete', arguments: { id: 7 } }
    const refused = (f) => assert.throws(f, (e) => e instanceof lib.McpAttestError && e.code === 'insufficient_trust_level')
    refused(() => lib.prepareCall(echo, { report }))
    refused(() => lib.prepareCall(del, { report, key: clientKey }))

    const evidence = openEvidenceLog({ dir, key: serverKey })
    const sent = lib.prepareCall(echo, { report, key: clientKey })
    assert.equal(sent.params._meta['org.mcp-attest/caller'].proof, sent.proof)
    const a = server.admitCall(sent.params, { client: 'c', header: sent.proof, log: evidence.log })
    assert.equal(a.run, true)
    assert.equal(a.caller.level, 1)
    evidence.write(server.completeCall(a.ticket, { result: { content: [] } }, { log: evidence.log }))

    // Anonymous at the server anyway: refused there, recorded, handler never asked.
    const anon = server.admitCall(echo, { client: 'c', log: evidence.log })
    assert.equal(anon.run, false)
    assert.equal(anon.error.code, -31001)
    assert.equal(anon.error.data.reason, 'insufficient_trust_level')
    evidence.write(anon.writes)

    // An issuer-vouched caller deletes; its handler fails with a contract code.
    // No `level` claim: an issuer's passport vouches for level 3.
    const passport = lib.issuePassport(issuerKey, issuerKey.verifyingKey().toDidKey(), clientKey.verifyingKey(), { name: 'client' })
    const vouched = lib.prepareCall(del, { report, key: clientKey, passport })
    const b = server.admitCall(vouched.params, { client: 'c', log: evidence.log })
    assert.equal(b.run, true, JSON.stringify(b))
    assert.equal(b.caller.level, 3)
    evidence.write(server.completeCall(b.ticket, { error: { code: -32000, message: 'x', data: { reason: 'revoked' } } }, { log: evidence.log }))
    // The same proof again: a replay.
    const again = server.admitCall(vouched.params, { client: 'c', log: evidence.log })
    assert.equal(again.error.data.reason, 'replayed_nonce')
    evidence.write(again.writes)

    const r = verifyEvidenceFiles(dir, serverKey.verifyingKey())
    assert.equal(r.valid, true, JSON.stringify(r.problems))
    assert.equal(r.records, 4)
    // Another server's log is refused: no record under the wrong identity.
    assert.throws(() => server.admitCall(echo, { client: 'c', log: new lib.EvidenceLog(clientKey) }), (e) => e.code === 'invalid_policy')
    assert.throws(() => server.setToolTrustLevel('echo', 5), (e) => e.code === 'invalid_policy')
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('the session DNS step: level 2 on a match, refused on another key, unchecked without a resolver', () => {
  const server = new lib.ServerPresentation(serverKey)
  const policy = { domain: 'weather.example' }
  const ours = serverKey.verifyingKey().dnsRecord()
  const theirs = clientKey.verifyingKey().dnsRecord()
  let r = session(server, policy, () => ['other=1', ours])
  assert.deepEqual([r.verified, r.dns, r.level], [true, 'verified', 2])
  r = session(server, policy, () => null)
  assert.deepEqual([r.verified, r.dns, r.level], [true, 'unchecked', 1])
  r = session(server, policy, () => [theirs])
  assert.deepEqual([r.verified, r.dns, r.code], [false, 'mismatch', 'record_mismatch'])
})

test('a client keeps a signed log of the calls it made', () => {
  const server = new lib.ServerPresentation(serverKey, { toolTrustLevels: { delete: 3 } })
  const report = session(server)
  const log = new lib.EvidenceLog(clientKey)
  const echo = { name: 'echo', arguments: { text: 'hi' } }
  const lines = []
  const record = (params, outcome) => lines.push(...log.appendCall(lib.clientCallEvidence(report, params, outcome)).map((w) => w.line))
  record(echo, { result: { content: [] } })
  record({ name: 'delete', arguments: {} }, { refused: 'insufficient_trust_level' })
  record(echo, { error: { code: -31002, message: 'no', data: { reason: 'replayed_nonce' } } })
  record(echo, { error: { code: -32602, message: 'bad' } })
  const r = lib.verifyEvidenceLog(lines, clientKey.verifyingKey())
  assert.equal(r.valid, true, JSON.stringify(r.problems))
  const records = lines.map((l) => JSON.parse(l))
  assert.deepEqual(records.map((x) => [x.caller, x.decision, x.reason ?? x.error ?? null]), [
    [report.server.did, 'allow', null],
    [report.server.did, 'deny', 'insufficient_trust_level'],
    [report.server.did, 'deny', 'replayed_nonce'],
    [report.server.did, 'allow', '-32602'],
  ])
  assert.throws(() => lib.clientCallEvidence(report, echo, {}), (e) => e.code === 'malformed_evidence')
})

test('the adapters get one frozen object per signed page, and a new one when the page is re-signed', () => {
  const server = new lib.ServerPresentation(serverKey, { name: 'weather' })
  const first = server.servedToolsList(LIST)
  assert.equal(server.servedToolsList(structuredClone(LIST)), first)
  const frozen = (v) => v === null || typeof v !== 'object' || (Object.isFrozen(v) && Object.values(v).every(frozen))
  assert.ok(frozen(first))
  // Modules are strict: writing to a frozen object throws.
  assert.throws(() => {
    first.tools[0].name = 'rm'
  }, TypeError)
  // The public method still hands out a fresh, mutable copy of the same page.
  const copy = server.signToolsList(LIST)
  assert.deepEqual(copy, first)
  assert.notEqual(copy, first)
  copy.tools[0].name = 'changed'
  // A level change re-signs the page (its manifest now carries the level).
  server.setToolTrustLevel('delete', 2)
  const resigned = server.servedToolsList(LIST)
  assert.notEqual(resigned, first)
  assert.equal(first.tools[0].name, 'echo')
  assert.ok(Object.isFrozen(resigned))
  assert.equal(server.servedToolsList(LIST), resigned)
  // Each cursor is its own page.
  const second = server.servedToolsList(LIST, { cursor: 'p2' })
  assert.notEqual(second, resigned)
  assert.equal(server.servedToolsList(LIST, { cursor: 'p2' }), second)
  assert.equal(server.servedToolsList(LIST), resigned)
})
