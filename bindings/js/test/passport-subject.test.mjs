// verifyPassport's `subject` option and the keys of its result: the subject key reaches the
// glue as a plain copy (it used to be re-imported through its bytes on every call) and a
// self-issued passport's one did:key is encoded once, so both must still be what they were.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import * as lib from 'mcp-attest'

const { SigningKey, TrustedIssuer, McpAttestError } = lib
const server = SigningKey.fromBytes(new Uint8Array(32).fill(21))
const other = SigningKey.fromBytes(new Uint8Array(32).fill(22))
const registry = SigningKey.fromBytes(new Uint8Array(32).fill(23))
const codeOf = (code) => (e) => e instanceof McpAttestError && e.code === code

test('subject: the right key passes, and the caller keeps a usable key', () => {
  const vk = server.verifyingKey()
  const token = lib.issueSelfPassport(server, { name: 'srv' })
  for (let i = 0; i < 3; i++) assert.equal(lib.verifyPassport(token, { subject: vk }).subject, vk.toDidKey())
  // The glue consumes what it is given: the caller's own key must still work.
  assert.equal(vk.toDidKey(), server.verifyingKey().toDidKey())
  assert.ok(vk.equals(server.verifyingKey()))
})

test('subject: another key is subject_mismatch; a non-key is invalid_key', () => {
  const token = lib.issueSelfPassport(server, { name: 'srv' })
  assert.throws(() => lib.verifyPassport(token, { subject: other.verifyingKey() }), codeOf('subject_mismatch'))
  assert.throws(() => lib.verifyPassport(token, { subject: server.verifyingKey().toBytes() }), codeOf('invalid_key'))
  assert.throws(() => lib.verifyPassport(token, { subject: server.verifyingKey().toDidKey() }), codeOf('invalid_key'))
})

test('subjectKey and issuerKey: one did:key when self-issued, two when an issuer signed', () => {
  const self = lib.verifyPassport(lib.issueSelfPassport(server, { name: 'srv' }))
  assert.equal(self.selfIssued, true)
  assert.equal(self.subjectKey, server.verifyingKey().toDidKey())
  assert.equal(self.issuerKey, server.verifyingKey().toDidKey())

  const token = lib.issuePassport(registry, 'https://registry.example', server.verifyingKey(), { name: 'srv' })
  const issued = lib.verifyPassport(token, { issuers: [TrustedIssuer.fromKey('https://registry.example', registry.verifyingKey())] })
  assert.equal(issued.selfIssued, false)
  assert.equal(issued.subjectKey, server.verifyingKey().toDidKey())
  assert.equal(issued.issuerKey, registry.verifyingKey().toDidKey())
  const pinned = lib.verifyPassport(token, { issuers: [TrustedIssuer.fromKey('https://registry.example', registry.verifyingKey())], subject: server.verifyingKey() })
  assert.equal(pinned.issuerKey, registry.verifyingKey().toDidKey())
})
