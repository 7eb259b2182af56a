/**
 * Errors. Every error this package throws is an {@link McpAttestError} (a real `Error`)
 * whose `.code` is one of the core's stable snake_case codes, the same in Rust, JavaScript
 * and Python. The subclass tells the family; switch on `.code` for the detail.
 *
 * @module
 */

/** Every error code. All but `not_initialized` come from the Rust core (`error_codes.json`). */
export type ErrorCode =
  | 'input_too_large' | 'invalid_base64' | 'invalid_base58' | 'invalid_hex'
  | 'invalid_key_length' | 'invalid_key' | 'weak_key' | 'key_mismatch' | 'unsupported_key_type'
  | 'malformed_pem' | 'malformed_der' | 'malformed_jwk' | 'malformed_signature' | 'invalid_signature'
  | 'malformed_did' | 'unsupported_did_method' | 'invalid_did_url' | 'malformed_record' | 'record_mismatch'
  | 'invalid_json' | 'duplicate_key' | 'invalid_unicode' | 'number_out_of_range' | 'json_too_deep'
  | 'malformed_tool_definition' | 'malformed_attestation' | 'missing_signature' | 'kid_mismatch'
  | 'malformed_manifest' | 'manifest_mismatch' | 'missing_manifest' | 'malformed_token' | 'unsupported_algorithm'
  | 'unsupported_critical' | 'wrong_token_type' | 'missing_claim' | 'invalid_claim' | 'token_expired'
  | 'token_not_yet_valid' | 'token_issued_in_future' | 'lifetime_too_long' | 'audience_mismatch' | 'issuer_mismatch'
  | 'subject_mismatch' | 'invalid_timestamp' | 'untrusted_issuer' | 'revoked' | 'pinned_key_changed'
  | 'malformed_trust_store' | 'invalid_policy' | 'no_identity' | 'missing_passport' | 'server_error'
  | 'tool_changed' | 'endpoint_mismatch' | 'unsupported_sdk' | 'attestation_expired' | 'malformed_identity' | 'invalid_challenge'
  | 'stale_timestamp' | 'replayed_nonce' | 'nonce_cache_full' | 'challenge_rate_limited'
  | 'malformed_evidence' | 'evidence_chain_broken' | 'evidence_truncated'
  | 'insufficient_trust_level' | 'caller_proof_mismatch'
  | 'signer_failed' | 'key_unavailable' | 'unsafe_directory'
  /** JS only: a `mcp-attest/slim` call before `await initialize()`. */
  | 'not_initialized'

/**
 * Base class of every error thrown by this package.
 *
 * @example
 * ```ts
 * try { VerifyingKey.fromDidKey(did) } catch (e) {
 *   if (e instanceof McpAttestError) console.log(e.code) // e.g. 'malformed_did'
 * }
 * ```
 */
export class McpAttestError extends Error {
  /** The stable machine-readable code. */
  readonly code: ErrorCode
  /** @param code - the error code. @param message - text for humans (may change between releases). */
  constructor(code: ErrorCode, message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = new.target.name
    this.code = code
  }
}

/** A key could not be imported or exported (length, encoding, weak key, PEM/DER/JWK). */
export class InvalidKeyError extends McpAttestError {}
/** A signature did not verify. Deliberately opaque about why. */
export class InvalidSignatureError extends McpAttestError {}
/** Input is malformed: encodings, JSON, DIDs, records, tool definitions, sizes, timestamps. */
export class MalformedInputError extends McpAttestError {}
/** A JWS/JWT (passport, manifest, revocation list) failed a structural or claim check. */
export class TokenError extends McpAttestError {}
/** The token's `exp` has passed. */
export class TokenExpiredError extends TokenError {}
/** The token's `nbf` (or `iat`) is in the future. */
export class TokenNotYetValidError extends TokenError {}
/** The token's `aud`, `iss` or `sub` is not the expected one. */
export class ClaimMismatchError extends TokenError {}
/** A tool or tools list is unsigned, names another key, or disagrees with its manifest. */
export class ToolVerificationError extends McpAttestError {}
/** Trust decisions: revoked keys, changed pins, records naming another key. */
export class TrustError extends McpAttestError {}
/** identity/challenge errors (carry a JSON-RPC mapping, see `challengeErrorToJsonRpc`). */
export class ChallengeError extends McpAttestError {}
/** Identity documents and attestations. */
export class IdentityError extends McpAttestError {}
/** `mcp-attest/slim` was used before `await initialize()`. */
export class NotInitializedError extends McpAttestError {}
/** Evidence logs: a broken hash chain or a log cut before a checkpoint anchor. */
export class EvidenceError extends McpAttestError {}

type ErrorClass = new (code: ErrorCode, message: string, options?: ErrorOptions) => McpAttestError

/** The class for each code. `Record<ErrorCode, …>` makes tsc fail when a code lacks a class. */
export const CLASS_BY_CODE: Readonly<Record<ErrorCode, ErrorClass>> = Object.freeze({
  input_too_large: MalformedInputError,
  invalid_base64: MalformedInputError,
  invalid_base58: MalformedInputError,
  invalid_hex: MalformedInputError,
  invalid_key_length: InvalidKeyError,
  invalid_key: InvalidKeyError,
  weak_key: InvalidKeyError,
  key_mismatch: InvalidKeyError,
  unsupported_key_type: InvalidKeyError,
  malformed_pem: InvalidKeyError,
  malformed_der: InvalidKeyError,
  malformed_jwk: InvalidKeyError,
  malformed_signature: MalformedInputError,
  invalid_signature: InvalidSignatureError,
  malformed_did: MalformedInputError,
  unsupported_did_method: MalformedInputError,
  invalid_did_url: MalformedInputError,
  malformed_record: MalformedInputError,
  record_mismatch: TrustError,
  invalid_json: MalformedInputError,
  duplicate_key: MalformedInputError,
  invalid_unicode: MalformedInputError,
  number_out_of_range: MalformedInputError,
  json_too_deep: MalformedInputError,
  malformed_tool_definition: MalformedInputError,
  malformed_attestation: ToolVerificationError,
  missing_signature: ToolVerificationError,
  kid_mismatch: ToolVerificationError,
  malformed_manifest: ToolVerificationError,
  manifest_mismatch: ToolVerificationError,
  missing_manifest: ToolVerificationError,
  malformed_token: TokenError,
  unsupported_algorithm: TokenError,
  unsupported_critical: TokenError,
  wrong_token_type: TokenError,
  missing_claim: TokenError,
  invalid_claim: TokenError,
  token_expired: TokenExpiredError,
  token_not_yet_valid: TokenNotYetValidError,
  token_issued_in_future: TokenNotYetValidError,
  lifetime_too_long: TokenError,
  audience_mismatch: ClaimMismatchError,
  issuer_mismatch: ClaimMismatchError,
  subject_mismatch: ClaimMismatchError,
  invalid_timestamp: MalformedInputError,
  untrusted_issuer: TokenError,
  revoked: TrustError,
  pinned_key_changed: TrustError,
  malformed_trust_store: MalformedInputError,
  invalid_policy: MalformedInputError,
  no_identity: TrustError,
  missing_passport: TrustError,
  server_error: TrustError,
  tool_changed: ToolVerificationError,
  endpoint_mismatch: TrustError,
  unsupported_sdk: McpAttestError,
  attestation_expired: IdentityError,
  malformed_identity: IdentityError,
  invalid_challenge: ChallengeError,
  stale_timestamp: ChallengeError,
  replayed_nonce: ChallengeError,
  nonce_cache_full: ChallengeError,
  challenge_rate_limited: ChallengeError,
  malformed_evidence: MalformedInputError,
  evidence_chain_broken: EvidenceError,
  evidence_truncated: EvidenceError,
  insufficient_trust_level: TrustError,
  caller_proof_mismatch: TrustError,
  signer_failed: McpAttestError,
  key_unavailable: McpAttestError,
  unsafe_directory: McpAttestError,
  not_initialized: NotInitializedError,
})

/** Every code this package can throw (the core's plus `not_initialized`). */
export const ERROR_CODES: readonly ErrorCode[] = Object.freeze(Object.keys(CLASS_BY_CODE) as ErrorCode[])

/** An error of the class for `code`. */
export function errorFor(code: ErrorCode, message: string, options?: ErrorOptions): McpAttestError {
  const Class = CLASS_BY_CODE[code] ?? McpAttestError
  return new Class(code, message, options)
}

/** Turns an error thrown by the wasm glue into the class for its code; anything else passes through. */
export function fromNative(e: unknown): unknown {
  if (e instanceof Error && e.name === 'McpAttestError' && !(e instanceof McpAttestError)) {
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string' && Object.prototype.hasOwnProperty.call(CLASS_BY_CODE, code)) {
      return errorFor(code as ErrorCode, e.message)
    }
  }
  return e
}

/** A union of every error class, for `switch (err.code)` narrowing. */
export type AnyMcpAttestError =
  | InvalidKeyError | InvalidSignatureError | MalformedInputError | TokenError | TokenExpiredError
  | TokenNotYetValidError | ClaimMismatchError | ToolVerificationError | TrustError | ChallengeError
  | IdentityError | NotInitializedError
