/**
 * `mcp-attest/fs`: the trust store and the server key in files, for Node.js only (a separate entry, so browser
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
import { closeSync, fsyncSync, fstatSync, linkSync, mkdirSync, openSync, readFileSync, readSync, renameSync, rmSync, statSync, writeSync } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'
import { randomUUID } from 'node:crypto'
import { PRIVATE_KEY_PATH_ENV, PRIVATE_KEY_PEM_ENV, SigningKey, TrustStore, checkKeyDirectory, errorFor, keySourcePlan, type KeyFileStep } from '../index.js'

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
/** Options of {@link loadOrCreateKey}. */
export interface LoadOrCreateKeyOptions {
  /**
   * Where the application keeps its key: loaded if present, else a new key is written there
   * (mode 0600) with a warning. Make it absolute (e.g. under `os.homedir()` or next to the
   * script): a stdio server's working directory is wherever the client started it.
   */
  path?: string
  /** The environment to read (default `process.env`). */
  env?: Record<string, string | undefined>
  /** Receives what to tell the operator (default `console.warn`, i.e. stderr: never a stdio server's stdout). */
  onWarning?: (message: string) => void
}

/** Largest key file read: a PEM or JWK is a few hundred bytes. */
const MAX_KEY_FILE = 64 * 1024

/**
 * The server's signing key, by the core's rules (the same in Python and the CLI):
 * `MCP_ATTEST_PRIVATE_KEY_PEM` (a PEM, also quoted or `\n`-escaped as `.env` files write it),
 * else the file `MCP_ATTEST_PRIVATE_KEY_PATH` names (it must exist), else the file at `path`,
 * created on first start. A key that was configured but is missing or invalid is an error,
 * never a silently generated new identity.
 *
 * The file is written atomically with mode 0600 and never over an existing file (two
 * processes starting at once end up with the same key); a directory anyone can write to
 * without the sticky bit is refused (`unsafe_directory`).
 *
 * @example
 * ```ts
 * import { homedir } from 'node:os'
 * import { join } from 'node:path'
 * import { loadOrCreateKey } from 'mcp-attest/fs'
 * const key = loadOrCreateKey({ path: join(homedir(), '.config', 'weather-mcp', 'server-key.pem') })
 * ```
 *
 * @throws McpAttestError `key_unavailable`, `unsafe_directory`, the key's parse error; the
 * file system's error otherwise.
 */
export function loadOrCreateKey(options?: LoadOrCreateKeyOptions): SigningKey {
  const env = options?.env ?? (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env ?? {}
  const warn = options?.onWarning ?? ((m: string) => console.warn(`mcp-attest: ${m}`))
  const plan = keySourcePlan({ pem: env[PRIVATE_KEY_PEM_ENV], path: env[PRIVATE_KEY_PATH_ENV] }, options?.path)
  plan.warnings.forEach((w) => warn(w))
  if (plan.key !== undefined) return plan.key
  const file = plan.file as KeyFileStep
  // Twice at most: a file another process created between our read and our write is read
  // and used instead of ours.
  for (let attempt = 0; attempt < 2; attempt++) {
    const found = readKeyFile(file)
    found.warnings.forEach((w) => warn(w))
    if (found.key !== undefined) return found.key
    const created = createKeyFile(file.path, warn)
    if (created !== undefined) {
      warn(file.createdWarning(created.verifyingKey()))
      return created
    }
  }
  throw errorFor('key_unavailable', `${file.path}: created and removed again while loading the key`)
}

function readKeyFile(file: KeyFileStep): ReturnType<KeyFileStep['decide']> {
  let fd: number
  try {
    fd = openSync(file.path, 'r')
  } catch (e) {
    if ((e as { code?: unknown }).code === 'ENOENT') return file.decide(undefined, undefined)
    throw e
  }
  const buf = new Uint8Array(MAX_KEY_FILE + 1)
  let n = 0
  let mode: number
  try {
    mode = fstatSync(fd).mode & 0o777
    for (let r = -1; r !== 0 && n < buf.length; n += r) r = readSync(fd, buf, n, buf.length - n, null)
  } finally {
    closeSync(fd)
  }
  try {
    // Not UTF-8 cannot be a PEM or a JWK; the replacement characters make the core say so.
    return file.decide(new TextDecoder().decode(buf.subarray(0, n)), mode)
  } finally {
    buf.fill(0)
  }
}

function createKeyFile(path: string, warn: (m: string) => void): SigningKey | undefined {
  const target = resolve(path)
  const dir = dirname(target)
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  const dirWarning = checkKeyDirectory(dir, statSync(dir).mode)
  if (dirWarning !== undefined) warn(dirWarning)
  const key = SigningKey.generate()
  const tmp = join(dir, `.mcp-attest-${randomUUID()}.tmp`)
  const fd = openSync(tmp, 'wx', 0o600)
  try {
    try {
      writeSync(fd, key.toPkcs8Pem())
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
    try {
      // link() fails if the name exists: two servers starting at once never both win.
      linkSync(tmp, target)
    } catch (e) {
      if ((e as { code?: unknown }).code === 'EEXIST') return undefined
      throw e
    }
  } finally {
    rmSync(tmp, { force: true })
  }
  const dfd = openSync(dir, 'r')
  try {
    fsyncSync(dfd)
  } finally {
    closeSync(dfd)
  }
  return key
}
