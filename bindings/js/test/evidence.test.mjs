// The file-backed evidence log and the caller API through the npm package: files rotate,
// a reopened log continues its chain, and every kind of tampering with the files is found
// and named by line. Real files in a temporary directory.
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, unlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import * as lib from 'mcp-attest'
import { evidenceFiles, openEvidenceLog, verifyEvidenceFiles } from 'mcp-attest/fs'

const key = lib.SigningKey.fromBytes(new Uint8Array(32).fill(21))
const call = (i) => ({ tool: 'echo', arguments: { i }, result: { content: [{ type: 'text', text: `r${i}` }] }, decision: 'allow' })

function withDir(f) {
  const dir = mkdtempSync(join(tmpdir(), 'evidence-'))
  try {
    return f(dir)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

test('a file log rotates, survives a restart and verifies from genesis', () => withDir((dir) => {
  let log = openEvidenceLog({ dir, key, maxFileBytes: 2000 })
  for (let i = 0; i < 6; i++) log.record(call(i))
  log = openEvidenceLog({ dir, key, maxFileBytes: 2000 }) // a restart
  for (let i = 6; i < 12; i++) log.record(call(i))
  log.record({ tool: 'delete', caller: null, decision: 'deny', reason: 'insufficient_trust_level' })
  const files = evidenceFiles(dir)
  assert.ok(files.length >= 3, `rotated into ${files.length} files`)
  for (const f of files) assert.equal(statSync(f).mode & 0o777, 0o600)
  assert.deepEqual(readdirSync(dir).sort(), files.map((f) => f.slice(dir.length + 1)))
  const r = verifyEvidenceFiles(dir, key.verifyingKey())
  assert.equal(r.valid, true, JSON.stringify(r.problems))
  assert.equal(r.fromGenesis, true)
  assert.equal(r.records, r.lines)
  assert.ok(r.checkpoints >= 2, 'each rotation wrote a checkpoint')
}))

test('edits, deletions and cuts are named', () => withDir((dir) => {
  const log = openEvidenceLog({ dir, key, maxFileBytes: 2000 })
  for (let i = 0; i < 10; i++) log.record(call(i))
  const anchor = log.checkpoint()
  log.record(call(10))
  const files = evidenceFiles(dir)
  const vk = key.verifyingKey()
  assert.equal(verifyEvidenceFiles(dir, vk, { anchors: [anchor] }).valid, true)

  // An edited record: named by its own line, with invalid_signature.
  const first = readFileSync(files[0], 'utf8')
  writeFileSync(files[0], first.replace('"tool":"echo"', '"tool":"ecHo"'))
  let r = verifyEvidenceFiles(dir, vk)
  assert.deepEqual(r.problems.map((p) => [p.line, p.code]), [[1, 'invalid_signature']])
  writeFileSync(files[0], first)

  // A whole middle file removed: the next file's first record does not follow.
  const middle = readFileSync(files[1], 'utf8')
  unlinkSync(files[1])
  r = verifyEvidenceFiles(dir, vk)
  assert.equal(r.valid, false)
  assert.equal(r.problems[0].code, 'evidence_chain_broken')
  writeFileSync(files[1], middle, { mode: 0o600 })

  // The newest records cut: only the anchor shows it.
  const last = files[files.length - 1]
  const lastText = readFileSync(last, 'utf8')
  unlinkSync(last)
  assert.equal(verifyEvidenceFiles(dir, vk).valid, true, 'a cut tail verifies without an anchor (spec §19.4)')
  r = verifyEvidenceFiles(dir, vk, { anchors: [anchor] })
  assert.deepEqual(r.problems.map((p) => p.code), ['evidence_truncated'])
  writeFileSync(last, lastText, { mode: 0o600 })
}))

test('a log is never silently restarted', () => withDir((dir) => {
  const log = openEvidenceLog({ dir, key })
  log.record(call(1))
  const other = lib.SigningKey.fromBytes(new Uint8Array(32).fill(22))
  assert.throws(() => openEvidenceLog({ dir, key: other }), (e) => e.code === 'invalid_signature')
  const [file] = evidenceFiles(dir)
  writeFileSync(file, readFileSync(file, 'utf8') + '{"v":1,"ki', { flag: 'w' })
  assert.throws(() => openEvidenceLog({ dir, key }), (e) => e.code === 'malformed_evidence' && /partial line/.test(e.message))
}))

test('caller proofs: attached by the client, identified and guarded on the server', () => {
  const client = lib.SigningKey.fromBytes(new Uint8Array(32).fill(23))
  const serverDid = key.verifyingKey().toDidKey()
  const sent = lib.attachCallerProof(client, serverDid, 'tools/call', { name: 'echo', arguments: { x: 1 }, _meta: { progressToken: 3 } })
  assert.equal(sent.params._meta.progressToken, 3, 'other _meta is kept')
  assert.equal(sent.params._meta[lib.CALLER_META_KEY].proof, sent.proof)
  const v = new lib.CallerVerifier(serverDid)
  const who = v.identify('tools/call', sent.params, { client: 'a' })
  assert.deepEqual(who, { did: client.verifyingKey().toDidKey(), issuer: null, level: 1 })
  assert.throws(() => v.identify('tools/call', sent.params, { client: 'b' }), (e) => e.code === 'replayed_nonce')
  assert.equal(v.identify('tools/call', { name: 'echo' }), null)
  lib.guardLevel(1, who.level)
  assert.throws(() => lib.guardLevel(2, who.level), (e) => e.code === 'insufficient_trust_level' && e instanceof lib.TrustError)
  const refusal = lib.callerRefusal({ code: 'insufficient_trust_level', message: 'no' }, { required: 2, level: 1 })
  assert.deepEqual(refusal, { code: -31001, data: { code: 'insufficient_trust_level', level: 1, reason: 'insufficient_trust_level', required: 2 }, message: 'no' })
})

test('fsync: false writes the same chain (the OS flushes it); a non-boolean is refused', () => withDir((dir) => {
  const log = openEvidenceLog({ dir, key, fsync: false })
  for (let i = 0; i < 3; i++) log.record(call(i))
  const r = verifyEvidenceFiles(dir, key.verifyingKey())
  assert.equal(r.valid, true, JSON.stringify(r.problems))
  assert.equal(r.records, 3)
  assert.throws(() => openEvidenceLog({ dir, key, fsync: 'no' }), (e) => e.code === 'invalid_policy')
}))
