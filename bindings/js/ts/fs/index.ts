/**
 * `mcp-attest/fs`: the trust store in a file, for Node.js only (a separate entry, so browser
 * bundles never import `node:fs`). The same helpers as Python's `load_trust_store` /
 * `save_trust_store`.
 *
 * Saving is atomic: the JSON goes to a temporary file in the same directory (mode 0600: the
 * store says which servers a host trusts), is flushed to disk, then renamed over the target, so
 * a crash leaves the old store or the new one, never half of one. Loading is strict: the core
 * refuses a malformed store (`malformed_trust_store`) rather than starting from an empty one,
 * which would silently re-pin every server on first use.
 *
 * Two processes sharing one file: each loads, verifies and saves its own copy, and the last
 * writer wins — a pin or an accepted tool written by the other in between is lost. Give each
 * process its own store, or serialise access to the file (a lock, or one process that owns it).
 *
 * @example
 * ```ts
 * import { loadTrustStore, saveTrustStore } from 'mcp-attest/fs'
 * const store = loadTrustStore('trust.json', { missingOk: true })
 * const report = await verifyServer(client, { serverId: 'https://weather.example/mcp', trustStore: store })
 * saveTrustStore(store, 'trust.json')
 * ```
 *
 * @module
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { randomUUID } from 'node:crypto'
import { TrustStore, errorFor } from '../index.js'

/**
 * Reads a trust store saved by {@link saveTrustStore} (or `TrustStore.toJson`).
 * `missingOk`: a missing file gives an empty store (a first run); any other failure throws.
 *
 * @throws McpAttestError `malformed_trust_store` and JSON codes for a malformed file; the
 * file system's error otherwise.
 */
export function loadTrustStore(path: string, options?: { missingOk?: boolean }): TrustStore {
  if (typeof path !== 'string' || path === '') throw errorFor('malformed_trust_store', 'loadTrustStore: path must be a non-empty string')
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (e) {
    if (options?.missingOk === true && (e as { code?: unknown }).code === 'ENOENT') return TrustStore.create()
    throw e
  }
  return TrustStore.fromJson(text)
}

/** Writes `store` to `path` atomically (temporary file, fsync, rename; mode 0600). */
export function saveTrustStore(store: TrustStore, path: string): void {
  if (!(store instanceof TrustStore)) throw errorFor('malformed_trust_store', 'saveTrustStore: store must be a TrustStore')
  if (typeof path !== 'string' || path === '') throw errorFor('malformed_trust_store', 'saveTrustStore: path must be a non-empty string')
  const tmp = join(dirname(path), `.${basename(path)}.${randomUUID()}.tmp`)
  const fd = openSync(tmp, 'wx', 0o600)
  try {
    try {
      writeSync(fd, store.toJson())
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
    renameSync(tmp, path)
  } catch (e) {
    rmSync(tmp, { force: true })
    throw e
  }
}

export { evidenceFiles, openEvidenceLog, verifyEvidenceFiles, type EvidenceLogOptions, type FileEvidenceLog } from './evidence.js'
