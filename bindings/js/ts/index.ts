/**
 * mcp-attest: MCP server identity and tool attestation. Ed25519 keys, did:key, signed tools
 * lists, passports, identity documents, challenges and a trust store — one Rust core compiled
 * to WebAssembly, the same bytes in Node.js, browsers, bundlers and Python.
 *
 * Every call is synchronous. Errors are {@link McpAttestError} subclasses with a stable `.code`.
 *
 * @example
 * ```ts
 * import { SigningKey, signToolsList, verifyToolsList, issueSelfPassport, verifyPassport } from 'mcp-attest'
 *
 * const sk = SigningKey.generate()
 * const passport = issueSelfPassport(sk, { name: 'weather' })
 * const p = verifyPassport(passport)
 * const signed = signToolsList(sk, { tools: [{ name: 'forecast', description: 'Forecast', inputSchema: { type: 'object' } }] })
 * const report = verifyToolsList(signed, VerifyingKey.fromDidKey(p.subject))
 * ```
 *
 * @packageDocumentation
 */
export * from './errors.js'
export { SigningKey, VerifyingKey, type Signer, type KeyFileStep, keySourcePlan, checkKeyDirectory, PRIVATE_KEY_PEM_ENV, PRIVATE_KEY_PATH_ENV, signatureFromBase64url, signatureToBase64url, type DidDocumentFormat } from './keys.js'
export * from './formats.js'
export * from './tools.js'
export * from './tokens.js'
export * from './identity.js'
export { TrustStore } from './trust.js'
export * from './session.js'
export * from './caller.js'
export * from './evidence.js'
export * from './interop.js'
export { MAX_TEXT_LENGTH, MAX_BYTES_LENGTH } from './util.js'

import { call } from './native.js'

/** The core's error codes in declaration order (as in `error_codes.json`). */
export function coreErrorCodes(): string[] {
  return call((g) => g.errorCodes())
}
