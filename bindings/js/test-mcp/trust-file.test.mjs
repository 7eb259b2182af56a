// mcp-attest/fs: the trust store in a file — atomic save with mode 0600, strict load.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { McpAttestError, SigningKey, TrustStore } from 'mcp-attest'
import { loadTrustStore, saveTrustStore } from 'mcp-attest/fs'

const withDir = (fn) => {
  const dir = mkdtempSync(join(tmpdir(), 'trust-file-'))
  try {
    return fn(dir)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

describe('mcp-attest/fs', () => {
  it('round-trips a store, mode 0600, leaving no temporary file', () => withDir((dir) => {
    const path = join(dir, 'trust.json')
    const store = TrustStore.create()
    store.checkPin('srv', SigningKey.fromBytes(new Uint8Array(32).fill(1)).verifyingKey())
    saveTrustStore(store, path)
    assert.equal(statSync(path).mode & 0o777, 0o600)
    assert.deepEqual(readdirSync(dir), ['trust.json'])
    assert.equal(loadTrustStore(path).toJson(), store.toJson())
    // Saving again replaces the file whole.
    saveTrustStore(TrustStore.create(), path)
    assert.equal(loadTrustStore(path).toJson(), TrustStore.create().toJson())
  }))

  it('refuses a malformed file instead of starting empty; a missing one only with missingOk', () => withDir((dir) => {
    const path = join(dir, 'trust.json')
    assert.throws(() => loadTrustStore(path), (e) => e.code === 'ENOENT')
    assert.equal(loadTrustStore(path, { missingOk: true }).toJson(), TrustStore.create().toJson())
    writeFileSync(path, '{"version":2,"pins":"nope"}')
    assert.throws(() => loadTrustStore(path, { missingOk: true }), (e) => e instanceof McpAttestError)
    assert.throws(() => saveTrustStore({}, path), (e) => e instanceof McpAttestError && e.code === 'malformed_trust_store')
    assert.equal(readFileSync(path, 'utf8'), '{"version":2,"pins":"nope"}')
  }))

  it('a failed save leaves the old file and no temporary file', () => withDir((dir) => {
    const path = join(dir, 'sub') // a directory: the rename fails
    const { mkdirSync } = createRequire(import.meta.url)('node:fs')
    mkdirSync(path)
    assert.throws(() => saveTrustStore(TrustStore.create(), path))
    assert.deepEqual(readdirSync(dir), ['sub'])
  }))

  it('loads as CommonJS too', () => {
    const cjs = createRequire(import.meta.url)('mcp-attest/fs')
    assert.equal(typeof cjs.loadTrustStore, 'function')
  })
})
