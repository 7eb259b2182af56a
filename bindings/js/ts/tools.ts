/**
 * Tool attestation: ext-auth per-tool signatures, content hashes and the signed tools
 * manifest, with a per-tool report on verification.
 *
 * @module
 */
import { errorFor } from './errors.js'
import { signingKeyArg, verifyingKeyArg, type Signer, type SigningKey, type VerifyingKey } from './keys.js'
import { call } from './native.js'
import { verifierWithLists, type RevocationList } from './tokens.js'
import { jsonText, optBool, optDuration, optText, opts, seconds, utf8 } from './util.js'

/** A JSON object (tool definition, tools/list result, …). */
export type JsonObject = { [key: string]: unknown }

/** The verdict on one tool. */
export type ToolStatus =
  | 'verified' | 'tampered' | 'unsigned' | 'wrong_key' | 'not_in_manifest' | 'missing_from_list' | 'duplicate' | 'malformed'
  | 'revoked' | 'manifest_unverified'

/** One tool's line of a {@link ToolsReport}. */
export interface ToolReport {
  /** Position in the list (null for a manifest entry missing from the list). */
  index: number | null
  /** The tool's name, when it has one. */
  name: string | null
  /** The verdict. Only `'verified'` means the caller may use the tool under the policy in
   * force; a soundly signed tool whose required manifest is missing, expired, foreign or
   * invalid is `'manifest_unverified'` (with the manifest's error code). */
  status: ToolStatus | string
  /** The error code behind a failed verdict. */
  error?: string
  /** Human-readable detail of `error`. */
  message?: string
  /** The tool's content hash `sha256-…`. */
  hash?: string
}

/** The manifest's verdict. */
export type ManifestReport =
  | { status: 'verified'; issuedAt: number; expiresAt: number }
  | { status: 'absent' }
  | { status: 'invalid'; error: string; message: string }

/** The result of {@link verifyToolsList}. */
export interface ToolsReport {
  /** True when the manifest (if required) and every tool verified. */
  verified: boolean
  /** The manifest's verdict. */
  manifest: ManifestReport
  /** One entry per tool (and per manifest entry missing from the list). */
  tools: ToolReport[]
  /** The names of the tools whose status is `'verified'`, in list order: the only tools a
   * client should expose to a model (empty when a required manifest did not verify). */
  verifiedNames: string[]
}

/** Options for {@link signToolsList} and {@link buildManifest}. */
export interface SignToolsOptions {
  /** Signing time (default: now). */
  currentDate?: Date
  /** Manifest lifetime in seconds (default 3600). */
  expiresIn?: number
  /** The manifest's `aud`. */
  audience?: string
  /** The ext-auth `kid` put in each tool's attestation (default: the key's derived kid). */
  kid?: string
}

/** Options for {@link verifyToolsList}. */
export interface VerifyToolsOptions {
  /** The verifier's clock (default: now). */
  currentDate?: Date
  /** Allowed clock skew in seconds for the manifest (default 60). */
  clockTolerance?: number
  /** The audience this client is; when set, the manifest must name exactly it. */
  audience?: string
  /** The expected ext-auth kid (default: the key's derived kid). */
  kid?: string
  /** Whether a list without a valid manifest counts as unverified (default true). */
  requireManifest?: boolean
  /** `'if-no-manifest'` (default: one signature plus N hashes) or `'always'` (every tool's own signature too, batch-verified). */
  toolSignatures?: 'if-no-manifest' | 'always'
  /** Largest result text accepted, in bytes (default 4 MiB). */
  maxBytes?: number
  /** Revocation lists to consult (verified ones, e.g. from
   * {@link PassportVerifier.verifyRevocationList}): a list naming the server key or its DID
   * makes the manifest invalid (`revoked`) and every tool `'revoked'`. */
  revocationLists?: RevocationList[]
}

/** The exact text the ext-auth draft signs for a tool: JCS of `{name, description, inputSchema[, outputSchema]}`. @throws `malformed_tool_definition`, JSON errors. */
export function extAuthSigningInput(tool: JsonObject | string): string {
  const t = jsonText(tool, 'tool')
  return call((g) => g.extAuthSigningInput(t))
}

/** The tool's content hash `sha256-<base64url>`. @throws `malformed_tool_definition`, JSON errors. */
export function contentHash(tool: JsonObject | string): string {
  const t = jsonText(tool, 'tool')
  return call((g) => g.contentHash(t))
}

/** The hash of a whole tools list (the passport's `mcp.toolsHash`). @throws `malformed_tool_definition`, JSON errors. */
export function toolsHash(tools: JsonObject[] | string): string {
  const t = jsonText(tools, 'tools')
  return call((g) => g.toolsHash(t))
}

/**
 * Signs one tool (ext-auth `_meta["io.modelcontextprotocol/server-identity"]`).
 * @throws `malformed_tool_definition`, JSON errors.
 */
export function signTool(key: SigningKey | Signer, tool: JsonObject | string, options?: { kid?: string; currentDate?: Date }): JsonObject {
  const k = signingKeyArg(key)
  const o = opts(options, 'malformed_tool_definition')
  const t = jsonText(tool, 'tool')
  const kid = optText(o.kid, 'kid', 'malformed_tool_definition')
  const at = seconds(o.currentDate)
  return JSON.parse(call((g) => g.signTool(k, t, kid, at))) as JsonObject
}

/** Verifies one tool's ext-auth signature. @throws `missing_signature`, `malformed_attestation`, `kid_mismatch`, `invalid_signature`. */
export function verifyTool(tool: JsonObject | string, key: VerifyingKey, options?: { kid?: string }): void {
  const k = verifyingKeyArg(key)
  const t = jsonText(tool, 'tool')
  const kid = optText(opts(options, 'malformed_tool_definition').kid, 'kid', 'malformed_tool_definition')
  call((g) => g.verifyTool(t, k, kid))
}

/**
 * Signs every tool of a `tools/list` result and attaches the signed manifest.
 *
 * @example
 * ```ts
 * const signed = signToolsList(sk, { tools: [{ name: 'add', description: 'Adds', inputSchema: { type: 'object' } }] })
 * ```
 * @throws `malformed_tool_definition` (including duplicate names), JSON errors, `input_too_large`.
 */
export function signToolsList(key: SigningKey | Signer, result: JsonObject | string, options?: SignToolsOptions): JsonObject {
  const k = signingKeyArg(key)
  const o = opts(options, 'malformed_tool_definition')
  const r = jsonText(result, 'result')
  const now = seconds(o.currentDate)
  const ttl = optDuration(o.expiresIn, 'expiresIn')
  const aud = optText(o.audience, 'audience', 'invalid_claim')
  const kid = optText(o.kid, 'kid', 'malformed_tool_definition')
  return JSON.parse(call((g) => g.signToolsList(k, r, now, ttl, aud, kid))) as JsonObject
}

/** The signed tools manifest (compact JWS) for already-signed tools. @throws `malformed_tool_definition`. */
export function buildManifest(key: SigningKey | Signer, tools: JsonObject[] | string, options?: Omit<SignToolsOptions, 'kid'>): string {
  const k = signingKeyArg(key)
  const o = opts(options, 'malformed_tool_definition')
  const t = jsonText(tools, 'tools')
  const now = seconds(o.currentDate)
  const ttl = optDuration(o.expiresIn, 'expiresIn')
  const aud = optText(o.audience, 'audience', 'invalid_claim')
  return call((g) => g.buildManifest(k, t, now, ttl, aud))
}

/**
 * Verifies a `tools/list` result under the server key and reports per tool. Throws only for
 * input that is not a tools list at all; everything else is in the report.
 *
 * @example
 * ```ts
 * const report = verifyToolsList(result, serverKey)
 * const usable = report.verifiedNames // the tools whose status is 'verified' 
 * ```
 * @throws `input_too_large`, JSON errors, `malformed_tool_definition`.
 */
export function verifyToolsList(result: JsonObject | string, key: VerifyingKey, options?: VerifyToolsOptions): ToolsReport {
  const k = verifyingKeyArg(key)
  const o = opts(options, 'malformed_tool_definition')
  const r = jsonText(result, 'result')
  const now = seconds(o.currentDate)
  const leeway = optDuration(o.clockTolerance, 'clockTolerance')
  const aud = optText(o.audience, 'audience', 'invalid_claim')
  const kid = optText(o.kid, 'kid', 'malformed_tool_definition')
  const requireManifest = optBool(o.requireManifest, 'requireManifest', 'malformed_tool_definition')
  const ts = o.toolSignatures ?? 'if-no-manifest'
  if (ts !== 'if-no-manifest' && ts !== 'always') {
    throw errorFor('malformed_tool_definition', `toolSignatures must be 'if-no-manifest' or 'always'`)
  }
  const maxBytes = optDuration(o.maxBytes, 'maxBytes')
  const lists: unknown = o.revocationLists
  if (lists !== undefined && !Array.isArray(lists)) {
    throw errorFor('malformed_tool_definition', 'revocationLists must be an array of RevocationList')
  }
  if (lists !== undefined && lists.length > 0) {
    const w = verifierWithLists(lists)
    try {
      return JSON.parse(
        call(() => w.verifyToolsList(utf8(r), k, now, leeway, aud, kid, requireManifest, ts === 'always', maxBytes)),
      ) as ToolsReport
    } finally {
      w.free()
    }
  }
  return JSON.parse(
    call((g) => g.verifyToolsList(utf8(r), k, now, leeway, aud, kid, requireManifest, ts === 'always', maxBytes)),
  ) as ToolsReport
}
