// Argument conversion and checks shared by the modules. These only convert JS values into
// what the glue takes, or refuse values the glue cannot take (wrong JS type, unusable size)
// with the code the core uses for that kind of input.
import { type ErrorCode, errorFor } from './errors.js'

/** Longest text passed to the core (16 MiB, its largest limit; every core limit is lower). */
export const MAX_TEXT_LENGTH = 16 << 20
/** Largest byte input passed to the core (256 MiB). */
export const MAX_BYTES_LENGTH = 256 << 20

function describe(v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'an array'
  return typeof v === 'object' ? (v.constructor?.name ?? 'an object') : typeof v
}

/** @internal A Uint8Array argument, or an error with `code`. */
export function bytes(v: unknown, name: string, code: ErrorCode): Uint8Array {
  if (!(v instanceof Uint8Array)) {
    throw errorFor(code, `${name} must be a Uint8Array, got ${describe(v)}`)
  }
  const buffer = v.buffer as ArrayBuffer & { detached?: boolean }
  if (buffer.detached === true) {
    throw errorFor(code, `${name} is a view of a detached ArrayBuffer`)
  }
  // A view of a detached buffer reads as empty (Node 20 has no `ArrayBuffer#detached`) but
  // throws when copied; pass a fresh empty array instead, which the core judges as empty input.
  if (v.byteLength === 0) return new Uint8Array(0)
  if (v.byteLength > MAX_BYTES_LENGTH) {
    throw errorFor('input_too_large', `${name} is larger than ${MAX_BYTES_LENGTH} bytes`)
  }
  return v
}

/** @internal A string argument, or an error with `code`. */
export function text(v: unknown, name: string, code: ErrorCode): string {
  if (typeof v !== 'string') {
    throw errorFor(code, `${name} must be a string, got ${describe(v)}`)
  }
  if (v.length > MAX_TEXT_LENGTH) {
    throw errorFor('input_too_large', `${name} is longer than ${MAX_TEXT_LENGTH} characters`)
  }
  return v
}

/** @internal An optional string (undefined or null: absent). */
export function optText(v: unknown, name: string, code: ErrorCode): string | undefined {
  return v === undefined || v === null ? undefined : text(v, name, code)
}

/** @internal JSON text of a value: strings pass through, anything else is JSON.stringify'd (transport only). */
export function jsonText(v: unknown, name: string, code: ErrorCode = 'invalid_json'): string {
  if (typeof v === 'string') return text(v, name, code)
  let s: string | undefined
  try {
    s = JSON.stringify(v)
  } catch (e) {
    throw errorFor(code, `${name} cannot be serialised to JSON: ${(e as Error).message}`)
  }
  if (s === undefined) throw errorFor(code, `${name} is not a JSON value`)
  return text(s, name, code)
}

const encoder = new TextEncoder()

/**
 * @internal JSON text as UTF-8 bytes for the glue's large inputs: wasm-bindgen copies a
 * string a character at a time in JS, bytes in one copy (`TextEncoder` is native).
 */
export function utf8(s: string): Uint8Array {
  return encoder.encode(s)
}

/** @internal Unix seconds of a Date (or now). */
export function seconds(d: unknown, name = 'currentDate'): number {
  if (d === undefined || d === null) return Math.floor(Date.now() / 1000)
  if (!(d instanceof Date)) throw errorFor('invalid_timestamp', `${name} must be a Date, got ${describe(d)}`)
  const ms = d.getTime()
  if (!Number.isFinite(ms) || ms < 0) throw errorFor('invalid_timestamp', `${name} is not a valid date after 1970`)
  return Math.floor(ms / 1000)
}

/** @internal An optional Date as Unix seconds (undefined when absent). */
export function optSeconds(d: unknown, name: string): number | undefined {
  return d === undefined || d === null ? undefined : seconds(d, name)
}

/** @internal An optional non-negative number of seconds. */
export function optDuration(v: unknown, name: string): number | undefined {
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
    throw errorFor('invalid_timestamp', `${name} must be a non-negative number of seconds`)
  }
  return v
}

/** @internal An optional boolean. */
export function optBool(v: unknown, name: string, code: ErrorCode): boolean | undefined {
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'boolean') throw errorFor(code, `${name} must be a boolean, got ${describe(v)}`)
  return v
}

/** @internal An options object (undefined: empty). */
export function opts<T extends object>(v: T | undefined, code: ErrorCode): Partial<T> {
  if (v === undefined || v === null) return {}
  if (typeof v !== 'object') throw errorFor(code, `options must be an object, got ${describe(v)}`)
  return v
}

/** @internal Date from Unix seconds (null stays null). */
export function date(s: number | null | undefined): Date | null {
  return s === null || s === undefined ? null : new Date(s * 1000)
}

/**
 * The glue object a class wraps, checked: the classes' constructors are private to the
 * package, but plain JavaScript can still call `new X(…)`; it gets a coded error naming the
 * factories instead of a wasm-bindgen message on first use.
 */
export function glueObject<T>(inner: T, what: string, factories: string): T {
  if (typeof inner !== 'object' || inner === null || typeof (inner as { free?: unknown }).free !== 'function') {
    throw errorFor('invalid_policy', `${what} has no public constructor: use ${factories}`)
  }
  return inner
}
