/**
 * Encodings, RFC 8785 JSON canonicalisation, RFC 3339 time, DID URLs and DNS/registry records.
 *
 * @module
 */
import { call } from './native.js'
import { verifyingKeyArg, type VerifyingKey } from './keys.js'
import { bytes, jsonText, optText, text } from './util.js'

/** base64url without padding (RFC 4648 §5). */
export function base64urlEncode(data: Uint8Array): string {
  const b = bytes(data, 'data', 'invalid_base64')
  return call((g) => g.base64urlEncode(b))
}
/** Strict base64url decoding (unpadded, canonical). @throws MalformedInputError `invalid_base64`. */
export function base64urlDecode(encoded: string): Uint8Array {
  const t = text(encoded, 'encoded', 'invalid_base64')
  return call((g) => g.base64urlDecode(t))
}
/** Standard padded base64. */
export function base64Encode(data: Uint8Array): string {
  const b = bytes(data, 'data', 'invalid_base64')
  return call((g) => g.base64Encode(b))
}
/** Standard base64 decoding. @throws MalformedInputError `invalid_base64`. */
export function base64Decode(encoded: string): Uint8Array {
  const t = text(encoded, 'encoded', 'invalid_base64')
  return call((g) => g.base64Decode(t))
}
/** base58btc (Bitcoin alphabet). */
export function base58Encode(data: Uint8Array): string {
  const b = bytes(data, 'data', 'invalid_base58')
  return call((g) => g.base58Encode(b))
}
/** base58btc decoding. @throws MalformedInputError `invalid_base58`. */
export function base58Decode(encoded: string): Uint8Array {
  const t = text(encoded, 'encoded', 'invalid_base58')
  return call((g) => g.base58Decode(t))
}
/** Multibase base58btc (`z…`). */
export function multibaseEncode(data: Uint8Array): string {
  const b = bytes(data, 'data', 'invalid_base58')
  return call((g) => g.multibaseEncode(b))
}
/** Multibase decoding; only base58btc (`z`) is accepted. @throws MalformedInputError `invalid_base58`. */
export function multibaseDecode(encoded: string): Uint8Array {
  const t = text(encoded, 'encoded', 'invalid_base58')
  return call((g) => g.multibaseDecode(t))
}
/** Lowercase hex. */
export function hexEncode(data: Uint8Array): string {
  const b = bytes(data, 'data', 'invalid_hex')
  return call((g) => g.hexEncode(b))
}
/** Hex decoding (lower or upper case). @throws MalformedInputError `invalid_hex`. */
export function hexDecode(encoded: string): Uint8Array {
  const t = text(encoded, 'encoded', 'invalid_hex')
  return call((g) => g.hexDecode(t))
}

/**
 * The RFC 8785 (JCS) canonical form of JSON text. Strict: duplicate keys, lone surrogates,
 * non-finite numbers and integers beyond 2^53 are errors. An object argument is
 * `JSON.stringify`'d only as transport; the canonical bytes come from the Rust core.
 *
 * @example
 * ```ts
 * canonicalize('{"b":1,"a":[1e21,0.1]}') // '{"a":[1e+21,0.1],"b":1}'
 * ```
 * @throws MalformedInputError `invalid_json`, `duplicate_key`, `invalid_unicode`, `number_out_of_range`, `json_too_deep`, `input_too_large`.
 */
export function canonicalize(json: string | object): string {
  const t = jsonText(json, 'json')
  return call((g) => g.canonicalize(t))
}

/** The JCS (ECMAScript) serialisation of one number. @throws MalformedInputError `number_out_of_range` (NaN, ±Infinity). */
export function canonicalizeNumber(value: number): string {
  if (typeof value !== 'number') return call((g) => g.canonicalizeNumber(Number.NaN))
  return call((g) => g.canonicalizeNumber(value))
}

/** `YYYY-MM-DDTHH:MM:SSZ` for a Date. */
export function formatRfc3339(date: Date): string {
  const ms = date instanceof Date ? date.getTime() : Number.NaN
  return call((g) => g.formatRfc3339(Math.floor(ms / 1000)))
}
/** Parses an RFC 3339 date-time (extended form). @throws MalformedInputError `invalid_timestamp`. */
export function parseRfc3339(timestamp: string): Date {
  const t = text(timestamp, 'timestamp', 'invalid_timestamp')
  return new Date(call((g) => g.parseRfc3339(t)) * 1000)
}

/** What a did:key DID URL names. */
export interface DidUrl {
  /** The DID (without fragment). */
  did: string
  /** `none` (the DID itself), `verification_method` (`#z6Mk…`) or `key_agreement` (`#z6LS…`). */
  fragment: 'none' | 'verification_method' | 'key_agreement'
}

/** Parses a did:key DID or DID URL. @throws `malformed_did`, `unsupported_did_method`, `invalid_did_url` and key errors. */
export function parseDidUrl(url: string): DidUrl {
  const t = text(url, 'url', 'malformed_did')
  return JSON.parse(call((g) => g.parseDidUrl(t))) as DidUrl
}

/** `_mcp-identity.<domain>`. @throws MalformedInputError `malformed_record`. */
export function dnsRecordName(domain: string): string {
  const t = text(domain, 'domain', 'malformed_record')
  return call((g) => g.dnsRecordName(t))
}

/** A parsed ext-auth DNS record. */
export interface DnsRecord {
  /** `kid=`. */
  kid: string
  /** `fp=`. */
  fp: string
}

/** Parses `v=mcp1; kid=…; fp=…`. @throws MalformedInputError `malformed_record`. */
export function parseDnsRecord(record: string): DnsRecord {
  const t = text(record, 'record', 'malformed_record')
  return JSON.parse(call((g) => g.parseDnsRecord(t))) as DnsRecord
}

/** Checks that a DNS record names `key` (and `kid`, when given). @throws `malformed_record`, `record_mismatch`. */
export function verifyDnsRecord(record: string, key: VerifyingKey, options?: { kid?: string }): void {
  const t = text(record, 'record', 'malformed_record')
  const k = verifyingKeyArg(key)
  const kid = optText(options?.kid, 'kid', 'malformed_record')
  call((g) => g.verifyDnsRecord(t, k, kid))
}

/** A parsed MCP Registry proof record. */
export interface RegistryRecord {
  /** `k=` (e.g. `ed25519`). */
  algorithm: string
  /** `p=` as hex. */
  publicKeyHex: string
}

/** Parses `v=MCPv1; k=ed25519; p=<base64>`. @throws MalformedInputError `malformed_record`. */
export function parseRegistryRecord(record: string): RegistryRecord {
  const t = text(record, 'record', 'malformed_record')
  return JSON.parse(call((g) => g.parseRegistryRecord(t))) as RegistryRecord
}

/** Checks that a registry record names `key`. @throws `malformed_record`, `record_mismatch`, key errors. */
export function verifyRegistryRecord(record: string, key: VerifyingKey): void {
  const t = text(record, 'record', 'malformed_record')
  const k = verifyingKeyArg(key)
  call((g) => g.verifyRegistryRecord(t, k))
}
