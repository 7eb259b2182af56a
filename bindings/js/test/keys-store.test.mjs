// loadOrCreateKey (mcp-attest/fs) on real files, and Signers implemented in JS (node:crypto's
// Ed25519 KeyObject: the secret never enters the library).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { spawn } from 'node:child_process'
import { generateKeyPairSync, sign as nodeSign } from 'node:crypto'
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as lib from 'mcp-attest'
import { loadOrCreateKey } from 'mcp-attest/fs'

const { SigningKey, VerifyingKey, McpAttestError } = lib
const PEM = 'MCP_ATTEST_PRIVATE_KEY_PEM'
const PATH = 'MCP_ATTEST_PRIVATE_KEY_PATH'
const dir = () => mkdtempSync(join(tmpdir(), 'mcp-attest-keys-'))
const codeOf = (code) => (e) => e instanceof McpAttestError && e.code === code

test('the documented names', () => {
  assert.equal(lib.PRIVATE_KEY_PEM_ENV, PEM)
  assert.equal(lib.PRIVATE_KEY_PATH_ENV, PATH)
})

test('first start creates a 0600 file and warns; every later start loads it silently', () => {
  const path = join(dir(), 'state', 'server-key.pem')
  const warnings = []
  const first = loadOrCreateKey({ path, env: {}, onWarning: (m) => warnings.push(m) })
  assert.equal(statSync(path).mode & 0o777, 0o600)
  assert.equal(statSync(join(path, '..')).mode & 0o777, 0o700)
  assert.equal(warnings.length, 1)
  assert.ok(warnings[0].includes(path) && warnings[0].includes(PEM) && warnings[0].includes(first.verifyingKey().toDidKey()))
  assert.ok(!warnings[0].includes('PRIVATE KEY'))
  assert.deepEqual(readdirSync(join(path, '..')), ['server-key.pem'])
  const again = []
  const second = loadOrCreateKey({ path, env: {}, onWarning: (m) => again.push(m) })
  assert.equal(second.verifyingKey().toDidKey(), first.verifyingKey().toDidKey())
  assert.deepEqual(again, [])
  assert.equal(SigningKey.fromPkcs8Pem(readFileSync(path, 'utf8')).verifyingKey().toDidKey(), first.verifyingKey().toDidKey())
})

test('the environment PEM wins in the forms .env files and secret stores produce', () => {
  const key = SigningKey.generate()
  const pem = key.toPkcs8Pem()
  const d = dir()
  for (const form of [pem, `"${pem.replaceAll('\n', '\\n')}"`, `'${pem.replaceAll('\n', '\\n')}'`, pem.replaceAll('\n', '\r\n'), pem.replaceAll('\n', '\\n')]) {
    const got = loadOrCreateKey({ path: join(d, 'unused.pem'), env: { [PEM]: form }, onWarning: () => {} })
    assert.equal(got.verifyingKey().toDidKey(), key.verifyingKey().toDidKey())
  }
  assert.equal(existsSync(join(d, 'unused.pem')), false)
})

test('an invalid or empty environment PEM is an error, never a new key', () => {
  const path = join(dir(), 'key.pem')
  assert.throws(() => loadOrCreateKey({ path, env: { [PEM]: '"-----BEGIN PRIVATE KEY-----\\nnope\\n"' } }), (e) => codeOf('malformed_pem')(e) && e.message.includes(PEM))
  assert.throws(() => loadOrCreateKey({ path, env: { [PEM]: '' } }), codeOf('key_unavailable'))
  assert.equal(existsSync(path), false)
})

test('a path from the environment must exist; a readable-by-others file is loaded with a warning', () => {
  const d = dir()
  const missing = join(d, 'volume-not-mounted', 'key.pem')
  assert.throws(() => loadOrCreateKey({ path: join(d, 'fallback.pem'), env: { [PATH]: missing } }), (e) => codeOf('key_unavailable')(e) && e.message.includes(missing))
  assert.equal(existsSync(missing) || existsSync(join(d, 'fallback.pem')), false)
  const key = SigningKey.generate()
  const present = join(d, 'present.pem')
  writeFileSync(present, key.toPkcs8Pem(), { mode: 0o644 })
  chmodSync(present, 0o644)
  const warnings = []
  const got = loadOrCreateKey({ env: { [PATH]: present }, onWarning: (m) => warnings.push(m) })
  assert.equal(got.verifyingKey().toDidKey(), key.verifyingKey().toDidKey())
  assert.ok(warnings.some((w) => w.includes('chmod 600')))
})

test('nothing configured, garbage in the file, an unsafe directory: errors, nothing written', () => {
  assert.throws(() => loadOrCreateKey({ env: {} }), codeOf('key_unavailable'))
  const d = dir()
  const garbage = join(d, 'key.pem')
  writeFileSync(garbage, Buffer.from([0xff, 0xfe, 0x20, 0x6e]))
  assert.throws(() => loadOrCreateKey({ path: garbage, env: {} }), codeOf('malformed_pem'))
  assert.deepEqual([...readFileSync(garbage)], [0xff, 0xfe, 0x20, 0x6e])
  const open = join(d, 'open')
  mkdirSync(open)
  chmodSync(open, 0o777)
  assert.throws(() => loadOrCreateKey({ path: join(open, 'key.pem'), env: {} }), codeOf('unsafe_directory'))
  assert.deepEqual(readdirSync(open), [])
})

test('processes starting at once end up with one key', async () => {
  const path = join(dir(), 'race', 'key.pem')
  // Each process prints the did of the key it ended up with.
  const program = "import { loadOrCreateKey } from 'mcp-attest/fs'\n" +
    "process.stdout.write(loadOrCreateKey({ path: process.argv[1], env: {}, onWarning: () => {} }).verifyingKey().toDidKey())"
  const cwd = fileURLToPath(new URL('..', import.meta.url))
  const dids = await Promise.all(Array.from({ length: 6 }, () => new Promise((resolve, reject) => {
    let out = ''
    const c = spawn(process.execPath, ['--input-type=module', '-e', program, path], { cwd, stdio: ['ignore', 'pipe', 'inherit'] })
    c.stdout.on('data', (b) => { out += b })
    c.on('exit', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`child exited ${code}`))))
  })))
  assert.equal(new Set(dids).size, 1)
  assert.equal(loadOrCreateKey({ path, env: {} }).verifyingKey().toDidKey(), dids[0])
})

// --- Signers ----------------------------------------------------------------------------

function nodeSigner() {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519')
  let calls = 0
  return {
    publicKey: new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }).subarray(12)),
    sign(data) {
      calls++
      return new Uint8Array(nodeSign(null, data, privateKey))
    },
    get calls() { return calls },
  }
}

test('a node:crypto signer signs everything a SigningKey signs', () => {
  const s = nodeSigner()
  const vk = VerifyingKey.fromBytes(s.publicKey)
  const tool = { name: 't', description: 'T', inputSchema: { type: 'object' } }
  const passport = lib.issueSelfPassport(s, { name: 'srv' })
  assert.equal(lib.verifyPassport(passport).subject, vk.toDidKey())
  lib.verifyJws(lib.signJws(s, { a: 1, exp: Math.floor(Date.now() / 1000) + 60 }), vk)
  assert.equal(lib.verifyToolsList(lib.signToolsList(s, { tools: [tool] }), vk).verified, true)
  lib.verifyTool(lib.signTool(s, tool), vk)
  assert.equal(lib.verifyIdentityDocument(lib.identityDocument(s)).did, vk.toDidKey())
  const responder = new lib.ChallengeResponder({ kid: vk.kid() })
  const params = lib.createChallenge()
  lib.verifyChallengeResponse(params, responder.respond(s, params), vk)
  const server = new lib.ServerPresentation(s, { name: 'srv' })
  assert.equal(server.did, vk.toDidKey())
  assert.ok(server.passport())
  assert.equal(lib.verifyToolsList(server.signToolsList({ tools: [tool] }), vk).verified, true)
  // A did:key or a VerifyingKey as publicKey works the same.
  const byDid = { publicKey: vk.toDidKey(), sign: (d) => s.sign(d) }
  assert.equal(lib.verifyPassport(lib.issueSelfPassport(byDid, { name: 'srv' })).subject, vk.toDidKey())
  assert.ok(s.calls >= 9)
})

const other = SigningKey.generate()
const claimed = SigningKey.generate().verifyingKey()
const liars = {
  throws: { publicKey: claimed.toBytes(), sign() { throw new Error('KMS endpoint unreachable') } },
  'wrong key': { publicKey: claimed, sign: (d) => other.sign(d) },
  short: { publicKey: claimed, sign: () => new Uint8Array(10) },
  'not bytes': { publicKey: claimed, sign: () => 'signature' },
  async: { publicKey: claimed, sign: async (d) => other.sign(d) },
}
for (const [name, signer] of Object.entries(liars)) {
  test(`a signer that ${name === 'async' ? 'is async' : name} is signer_failed, never a token`, () => {
    for (const f of [
      () => lib.issueSelfPassport(signer, { name: 'srv' }),
      () => lib.signJws(signer, {}),
      () => lib.signToolsList(signer, { tools: [] }),
      () => lib.identityDocument(signer),
      () => new lib.ServerPresentation(signer, { name: 'srv' }).passport(),
    ]) assert.throws(f, codeOf('signer_failed'))
  })
}

test('a thrown error is named in the message; an object that is no signer is invalid_key', () => {
  assert.throws(() => lib.signJws(liars.throws, {}), (e) => codeOf('signer_failed')(e) && e.message.includes('unreachable'))
  assert.throws(() => lib.signJws({ sign: () => {} }, {}), codeOf('invalid_key'))
  assert.throws(() => lib.signJws({ publicKey: new Uint8Array(31), sign: () => {} }, {}), codeOf('invalid_key_length'))
})
