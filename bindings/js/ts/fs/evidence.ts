// The file-backed evidence log (spec §19). The core decides every line, the file each goes
// to and the file names; this file only appends, lists and reads.
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, writeSync } from 'node:fs'
import { basename, join } from 'node:path'
import {
  EvidenceLog, errorFor, evidenceFileIndex, evidenceFileName, verifyEvidenceLog,
  type CallEvidence, type EvidenceReport, type EvidenceWrite, type Signer, type SigningKey, type VerifyingKey,
} from '../index.js'

/** Options of {@link openEvidenceLog}. */
export interface EvidenceLogOptions {
  /** The directory of the log's files (created, mode 0700, when missing). */
  dir: string
  /** The server key that signs the records: a SigningKey or a Signer. */
  key: SigningKey | Signer
  /** File name prefix (default `evidence`): files are `<prefix>-000000.jsonl`, … */
  prefix?: string
  /** Rotation size (default: the core's, 16 MiB). */
  maxFileBytes?: number
  /**
   * Whether every line reaches the disk before the call is answered (default true, as in
   * Python): a few milliseconds per call. False leaves it to the OS: a crash can then lose the
   * last lines — which the chain shows as a log cut short (spec §19.4) — but never reorder or
   * alter them.
   */
  fsync?: boolean
}

/** The log's files in chain order (oldest first), as full paths. */
export function evidenceFiles(dir: string, prefix = 'evidence'): string[] {
  let names: string[]
  try {
    names = readdirSync(dir)
  } catch (e) {
    if ((e as { code?: unknown }).code === 'ENOENT') return []
    throw e
  }
  return names
    .map((n) => ({ n, i: evidenceFileIndex(prefix, n) }))
    .filter((x): x is { n: string; i: number } => x.i !== null)
    .sort((a, b) => a.i - b.i)
    .map((x) => join(dir, x.n))
}

/** An open, file-backed evidence log: every call appends (and flushes) its lines. */
export interface FileEvidenceLog {
  /** Records one `tools/call` decision. */
  record(call: CallEvidence, options?: { currentDate?: Date }): void
  /** Writes a `periodic` checkpoint and returns its line: keep a copy elsewhere as an anchor. */
  checkpoint(options?: { currentDate?: Date }): string
  /** Writes a `close` checkpoint. */
  close(options?: { currentDate?: Date }): void
  /** The server DID in every record. */
  readonly serverDid: string
  /** The log itself, for a call gate (`ServerPresentation.admitCall({ log })`) that returns its lines. */
  readonly log: EvidenceLog
  /** Appends (and flushes) lines returned by a call gate. */
  write(writes: EvidenceWrite[]): void
}

/**
 * Opens (or starts) the log in `dir`, resuming the chain from the newest file's last line —
 * which must verify under `key`: a log written by another key, or a file cut mid-line, is
 * refused rather than silently restarted (a new chain would hide what came before).
 */
export function openEvidenceLog(options: EvidenceLogOptions): FileEvidenceLog {
  const prefix = options.prefix ?? 'evidence'
  if (options.fsync !== undefined && typeof options.fsync !== 'boolean') throw errorFor('invalid_policy', 'openEvidenceLog: fsync must be true or false')
  const sync = options.fsync !== false
  const max = options.maxFileBytes
  mkdirSync(options.dir, { recursive: true, mode: 0o700 })
  const files = evidenceFiles(options.dir, prefix)
  let log: EvidenceLog
  if (files.length === 0) {
    log = new EvidenceLog(options.key, { maxFileBytes: max })
  } else {
    // Only reading here: what to resume from (and refusing a file cut mid-line) is the core's.
    const newest = files[files.length - 1]
    const newestText = readFileSync(newest, 'utf8')
    const previousText = newestText === '' && files.length > 1 ? readFileSync(files[files.length - 2], 'utf8') : undefined
    const newestIndex = evidenceFileIndex(prefix, basename(newest)) ?? 0
    log = new EvidenceLog(options.key, { maxFileBytes: max, resumeFiles: { newestIndex, newestText, previousText } })
  }
  const write = (w: EvidenceWrite): void => {
    const fd = openSync(join(options.dir, evidenceFileName(prefix, w.file)), 'a', 0o600)
    try {
      writeSync(fd, `${w.line}\n`)
      if (sync) fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
  }
  return {
    record(call, o) {
      for (const w of log.appendCall(call, o)) write(w)
    },
    checkpoint(o) {
      const w = log.checkpoint(o)
      write(w)
      return w.line
    },
    close(o) {
      write(log.close(o))
    },
    get serverDid() {
      return log.serverDid
    },
    log,
    write(writes) {
      for (const w of writes) write(w)
    },
  }
}

/**
 * Verifies a log's files in order (a directory, read with `prefix`, or explicit paths, oldest
 * first) under the server key. Memory: one file at a time.
 */
export function verifyEvidenceFiles(source: string | string[], key: VerifyingKey, options?: { prefix?: string; anchors?: string[] }): EvidenceReport {
  const paths = typeof source === 'string' && statSync(source).isDirectory() ? evidenceFiles(source, options?.prefix) : ([] as string[]).concat(source)
  function* lines(): Generator<string> {
    for (const p of paths) {
      const text = readFileSync(p, 'utf8')
      const body = text.endsWith('\n') ? text.slice(0, -1) : text
      if (body !== '') yield* body.split('\n')
    }
  }
  return verifyEvidenceLog(lines(), key, { anchors: options?.anchors })
}
