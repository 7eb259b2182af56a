// Wrong JS types, undefined, huge strings and detached buffers: every call throws an
// McpAttestError with a code (never a WebAssembly trap), and the module keeps working.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import * as lib from 'mcp-attest'

const { SigningKey, VerifyingKey, McpAttestError } = lib
const sk = SigningKey.fromBytes(new Uint8Array(32).fill(7))
const vk = sk.verifyingKey()
const msg = new TextEncoder().encode('hello')
const sig = sk.sign(msg)
const passport = lib.issueSelfPassport(sk, { name: 'x' })
const list = lib.signToolsList(sk, { tools: [{ name: 'a', description: 'A', inputSchema: { type: 'object' } }] })

function stillWorks() {
  vk.verify(msg, sig)
  assert.equal(lib.verifyPassport(passport).mcp.name, 'x')
  assert.equal(lib.verifyToolsList(list, vk).verified, true)
  assert.equal(SigningKey.fromBytes(new Uint8Array(32).fill(7)).verifyingKey().toDidKey(), vk.toDidKey())
}

function detached() {
  const b = new Uint8Array(32)
  structuredClone(b.buffer, { transfer: [b.buffer] })
  return b
}

const huge = 'a'.repeat(20 << 20)
const wrong = [undefined, null, 42, 'abc', {}, [], true, 1n, Symbol('s'), () => 1, new ArrayBuffer(32), new Uint16Array(16), huge]

const calls = {
  'SigningKey.fromBytes': (x) => SigningKey.fromBytes(x),
  'SigningKey.fromPkcs8Der': (x) => SigningKey.fromPkcs8Der(x),
  'SigningKey.fromPkcs8Pem': (x) => SigningKey.fromPkcs8Pem(x),
  'SigningKey.fromJwk': (x) => SigningKey.fromJwk(x),
  'VerifyingKey.fromBytes': (x) => VerifyingKey.fromBytes(x),
  'VerifyingKey.fromSpkiDer': (x) => VerifyingKey.fromSpkiDer(x),
  'VerifyingKey.fromDidKey': (x) => VerifyingKey.fromDidKey(x),
  'VerifyingKey.fromMultibase': (x) => VerifyingKey.fromMultibase(x),
  'VerifyingKey.fromJwk': (x) => VerifyingKey.fromJwk(x),
  'sk.sign': (x) => sk.sign(x),
  'vk.verify(message)': (x) => vk.verify(x, sig),
  'vk.verify(signature)': (x) => vk.verify(msg, x),
  'hexDecode': (x) => lib.hexDecode(x),
  'base64urlEncode': (x) => lib.base64urlEncode(x),
  'canonicalize': (x) => lib.canonicalize(typeof x === 'object' && x !== null && !(x instanceof ArrayBuffer) ? 1n : x),
  'verifyPassport': (x) => lib.verifyPassport(x),
  'verifyPassport(options)': (x) => lib.verifyPassport(passport, { currentDate: x }),
  'verifyToolsList': (x) => lib.verifyToolsList(x === undefined || typeof x === 'object' ? 1n : x, vk),
  'verifyToolsList(key)': (x) => lib.verifyToolsList(list, x),
  'verifyToolsList(revocationLists)': (x) => lib.verifyToolsList(list, vk, { revocationLists: x === undefined ? [1] : Array.isArray(x) ? x : [x] }),
  'verifyJws': (x) => lib.verifyJws(x, vk),
  'TrustStore.fromJson': (x) => lib.TrustStore.fromJson(x),
  'verifyIdentityDocument': (x) => lib.verifyIdentityDocument(typeof x === 'string' ? x : 1n),
  'ChallengeResponder.respond': (x) => new lib.ChallengeResponder({ kid: 'k' }).respond(sk, typeof x === 'string' ? x : 1n),
  'createChallenge(random)': (x) => lib.createChallenge({ random: x ?? 5 }),
}

for (const [name, f] of Object.entries(calls)) {
  test(`${name} refuses wrong JS types with a code and the module keeps working`, () => {
    for (const x of [...wrong, detached()]) {
      let thrown
      try {
        f(x)
      } catch (e) {
        thrown = e
      }
      if (thrown === undefined) continue // some inputs are valid for some calls (e.g. {} as a JWK string? no: checked below)
      assert.ok(thrown instanceof McpAttestError, `${name}(${describe(x)}): ${thrown && thrown.stack}`)
      assert.ok(thrown instanceof Error)
      assert.equal(typeof thrown.code, 'string')
      assert.ok(!(thrown instanceof WebAssembly.RuntimeError))
      stillWorks()
    }
  })
}

test('huge inputs are refused with input_too_large before reaching the wasm', () => {
  assert.throws(() => lib.verifyPassport(huge), { code: 'input_too_large' })
  assert.throws(() => lib.canonicalize(huge), { code: 'input_too_large' })
  assert.throws(() => VerifyingKey.fromDidKey(huge), { code: 'input_too_large' })
  stillWorks()
})

test('a detached buffer is refused with a code', () => {
  assert.throws(() => SigningKey.fromBytes(detached()), (e) => e instanceof McpAttestError && e.code === 'invalid_key_length')
  stillWorks()
})

test('errors are real Error subclasses with the core code', () => {
  assert.throws(() => vk.verify(msg, new Uint8Array(64)), (e) => e instanceof lib.InvalidSignatureError && e.code === 'invalid_signature' && e.name === 'InvalidSignatureError')
  assert.throws(() => lib.verifyPassport(passport, { currentDate: new Date(Date.now() + 10 * 86400e3) }), (e) => e instanceof lib.TokenExpiredError && e instanceof lib.TokenError && e.code === 'token_expired')
  assert.throws(() => VerifyingKey.fromDidKey('did:web:example.com'), (e) => e instanceof lib.MalformedInputError && e.code === 'unsupported_did_method')
  assert.throws(() => lib.verifyPassport(passport, { audience: 'https://x' }), (e) => e instanceof lib.ClaimMismatchError || e.code === 'missing_claim')
})

test('Date inputs and the clock: invalid dates are invalid_timestamp', () => {
  assert.throws(() => lib.verifyPassport(passport, { currentDate: new Date(NaN) }), { code: 'invalid_timestamp' })
  assert.throws(() => lib.verifyPassport(passport, { currentDate: 1700000000 }), { code: 'invalid_timestamp' })
  assert.throws(() => lib.verifyPassport(passport, { currentDate: new Date(-1000) }), { code: 'invalid_timestamp' })
  stillWorks()
})

test('disposed keys give an error with a code, not a trap', () => {
  const k = SigningKey.fromBytes(new Uint8Array(32).fill(9))
  k[Symbol.dispose]()
  let thrown
  try { k.sign(msg) } catch (e) { thrown = e }
  assert.ok(thrown instanceof Error)
  assert.ok(!(thrown instanceof WebAssembly.RuntimeError), String(thrown))
  stillWorks()
})

test('calling a class constructor directly gives a coded error naming the factories', () => {
  const vk = SigningKey.fromBytes(new Uint8Array(32).fill(9)).verifyingKey()
  for (const [C, args] of [[lib.TrustedIssuer, ['https://issuer.example', vk]], [lib.TrustStore, []], [lib.SigningKey, [new Uint8Array(32)]], [lib.VerifyingKey, [new Uint8Array(32)]], [lib.RevocationList, ['token']]]) {
    assert.throws(() => new C(...args), (e) => e instanceof lib.McpAttestError && e.code === 'invalid_policy' && /has no public constructor: use /.test(e.message), C.name)
  }
  stillWorks()
})

function describe(x) {
  if (typeof x === 'string') return x.length > 20 ? `string(${x.length})` : JSON.stringify(x)
  if (typeof x === 'bigint' || typeof x === 'symbol') return x.toString()
  return Object.prototype.toString.call(x)
}
