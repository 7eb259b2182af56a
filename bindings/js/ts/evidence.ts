/**
 * Evidence logs (spec §19): one signed, hash-chained record per `tools/call`, allowed or
 * denied, with checkpoints; verified offline, naming the record that is wrong. The core
 * decides the record format, the hashes, the rotation point and the file names; this module
 * moves lines (see `mcp-attest/fs` for the file-backed log).
 *
 * @example
 * ```ts
 * import { SigningKey, EvidenceLog, verifyEvidenceLog } from 'mcp-attest'
 *
 * const key = SigningKey.generate()
 * const log = new EvidenceLog(key)
 * const writes = log.appendCall({ tool: 'echo', arguments: { text: 'hi' }, result: { content: [] }, decision: 'allow' })
 * const report = verifyEvidenceLog(writes.map((w) => w.line), key.verifyingKey())
 * // report.valid === true
 * ```
 *
 * @module
 */
import type { WasmEvidenceLog } from '#wasm/types'
import { errorFor, type ErrorCode } from './errors.js'
import { signingKeyArg, verifyingKeyArg, type Signer, type SigningKey, type VerifyingKey } from './keys.js'
import { call } from './native.js'
import { jsonText, opts, seconds, text } from './util.js'

/** One `tools/call` decision to record. Arguments and results are hashed, never written. */
export interface CallEvidence {
  /** The caller's DID; absent or null for an anonymous caller. */
  caller?: string | null
  /** The caller's trust level, 0–4 (0 when anonymous). */
  level?: number
  /** The requested tool name. */
  tool: string
  /** The tool's content hash (`sha256-…`), when the server has the tool. */
  toolHash?: string | null
  /** The call's arguments (hashed; absent counts as `{}`). */
  arguments?: unknown
  /** The `CallToolResult` (hashed), for an allowed call that returned. */
  result?: unknown
  /** The error's code as text, for an allowed call that failed. */
  error?: string | null
  decision: 'allow' | 'deny'
  /** Why a call was denied (a contract code such as `insufficient_trust_level`). */
  reason?: ErrorCode | string | null
}

/** A line to append (with `\n`) to the log's file number `file`. */
export interface EvidenceWrite {
  file: number
  line: string
}

/** A problem {@link verifyEvidenceLog} found. */
export interface EvidenceProblem {
  /** 1-based line across every line given (0: an anchor's problem). */
  line: number
  seq: number | null
  code: ErrorCode
  message: string
}

/** What {@link verifyEvidenceLog} found; identical to Python's and the CLI's report. */
export interface EvidenceReport {
  valid: boolean
  lines: number
  records: number
  checkpoints: number
  firstSeq: number | null
  lastSeq: number | null
  /** Hash of the last line: what the next record's `prev` must be. */
  head: string | null
  /** Whether the log starts at the server's genesis (seq 0); a later start proves nothing before it. */
  fromGenesis: boolean
  anchorsMatched: number
  problems: EvidenceProblem[]
  problemsOmitted: number
}

/** @internal The glue object of an EvidenceLog (for the call gate). */
export let evidenceLogInner: (l: EvidenceLog) => WasmEvidenceLog

/** The writer side, without I/O: returns the lines and the file each goes to. */
export class EvidenceLog {
  readonly #inner: WasmEvidenceLog
  static {
    evidenceLogInner = (l) => {
      if (!(l instanceof EvidenceLog)) throw errorFor('invalid_policy', 'log must be an EvidenceLog')
      return l.#inner
    }
  }
  /** A new chain in file 0. */
  /**
   * `key`: a {@link SigningKey} or a {@link Signer} (a key in a KMS, called synchronously; every
   * signature is checked). `maxFileBytes`: the rotation size (default: the core's, 16 MiB).
   * `resume`: continue a chain from its last line; `resumeFiles`: continue a file-backed log
   * from its newest file's text (and the previous file's when the newest is empty) — the core
   * decides how, so every language resumes alike.
   */
  constructor(
    key: SigningKey | Signer,
    options?: {
      maxFileBytes?: number
      resume?: { lastLine: string; file: number; fileBytes: number }
      resumeFiles?: { newestIndex: number; newestText: string; previousText?: string }
    },
  ) {
    const o = opts(options, 'invalid_policy')
    const k = signingKeyArg(key)
    const max = o.maxFileBytes
    const r = o.resume
    const f = o.resumeFiles
    if (r !== undefined) {
      this.#inner = call((g) => g.WasmEvidenceLog.resume(k, max, text(r.lastLine, 'lastLine', 'malformed_evidence'), r.file, r.fileBytes))
    } else if (f !== undefined) {
      const newest = text(f.newestText, 'newestText', 'malformed_evidence')
      const previous = f.previousText === undefined ? undefined : text(f.previousText, 'previousText', 'malformed_evidence')
      this.#inner = call((g) => g.WasmEvidenceLog.resumeFiles(k, max, f.newestIndex, newest, previous))
    } else {
      this.#inner = call((g) => new g.WasmEvidenceLog(k, max))
    }
  }
  /** Records a call: one write, or two when the file rotates (a checkpoint, then the record). */
  appendCall(call_: CallEvidence, options?: { currentDate?: Date }): EvidenceWrite[] {
    const t = jsonText(call_, 'call', 'malformed_evidence')
    const now = seconds(opts(options, 'invalid_policy').currentDate)
    return JSON.parse(call(() => this.#inner.appendCall(t, now))) as EvidenceWrite[]
  }
  /** A `periodic` checkpoint: also copy its line somewhere the server cannot rewrite (an anchor). */
  checkpoint(options?: { currentDate?: Date }): EvidenceWrite {
    const now = seconds(opts(options, 'invalid_policy').currentDate)
    return JSON.parse(call(() => this.#inner.checkpoint(now))) as EvidenceWrite
  }
  /** A `close` checkpoint for a clean shutdown. */
  close(options?: { currentDate?: Date }): EvidenceWrite {
    const now = seconds(opts(options, 'invalid_policy').currentDate)
    return JSON.parse(call(() => this.#inner.close(now))) as EvidenceWrite
  }
  get serverDid(): string {
    return call(() => this.#inner.serverDid())
  }
  get nextSeq(): number {
    return call(() => this.#inner.nextSeq())
  }
  /** The index of the file being written. */
  get file(): number {
    return call(() => this.#inner.file())
  }
  [Symbol.dispose](): void {
    this.#inner.free()
  }
}

/**
 * Verifies a log: its lines in order (every file, oldest first; text is split at `\n`), under
 * the server's key, with anchors (checkpoint lines kept elsewhere) to catch a log cut short.
 */
export function verifyEvidenceLog(lines: Iterable<string> | string, key: VerifyingKey, options?: { anchors?: string[] }): EvidenceReport {
  const o = opts(options, 'invalid_policy')
  const k = verifyingKeyArg(key)
  const anchors = (o.anchors ?? []).map((a, i) => text(a, `anchors[${i}]`, 'malformed_evidence'))
  const v = call((g) => new g.WasmLogVerifier(k))
  let src: Iterable<string>
  if (typeof lines === 'string') {
    const body = lines.endsWith('\n') ? lines.slice(0, -1) : lines
    src = body === '' ? [] : body.split('\n')
  } else {
    src = lines
  }
  try {
    for (const l of src) v.push(text(l, 'line', 'malformed_evidence'))
  } catch (e) {
    v.free()
    throw e
  }
  return JSON.parse(call(() => v.finish(anchors))) as EvidenceReport
}

/** `sha256-…` of the RFC 8785 form of a JSON value: the hash recorded for arguments and results. */
export function evidenceHash(value: unknown): string {
  const t = jsonText(value, 'value')
  return call((g) => g.evidenceHashJson(t))
}

/** The name of a log's file number `index`: `<prefix>-000007.jsonl`. */
export function evidenceFileName(prefix: string, index: number): string {
  return call((g) => g.evidenceFileName(prefix, index))
}

/** The index of one of the log's files, or null for any other name. */
export function evidenceFileIndex(prefix: string, name: string): number | null {
  const i = call((g) => g.evidenceFileIndex(prefix, name))
  return i < 0 ? null : i
}
