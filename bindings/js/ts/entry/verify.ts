/**
 * `mcp-attest/verify`: what a browser MCP client needs, in a module of its own size. Keys
 * (verifying only), did:key, JCS and the other formats, signed tool lists, passports and
 * JWS, identity documents, the client side of challenges, and the trust store; no signing,
 * no server side, no session engine, caller proofs or evidence logs (import `mcp-attest`
 * for those).
 *
 * Its WebAssembly module is built from the same core with every export this entry does not
 * reach removed (scripts/build.mjs), and ships as a file of its own, `mcp-attest/verify.wasm`:
 * call {@link initialize} once, which fetches and compiles it while it streams in; every call
 * after that is synchronous. There is no top-level `await`, so the entry bundles for any
 * target and output format (docs/guide-browser.md shows Vite and esbuild).
 *
 * @example
 * ```ts
 * import { initialize, VerifyingKey, verifyPassport, verifyToolsList } from 'mcp-attest/verify'
 *
 * await initialize() // optional: compiles the module asynchronously
 * const passport = verifyPassport(token)
 * const report = verifyToolsList(toolsListResult, VerifyingKey.fromDidKey(passport.subject))
 * ```
 *
 * @packageDocumentation
 */
import * as glue from '#wasm/web'
import { errorFor, McpAttestError } from '../errors.js'
import { isInitialized, setNative } from '../native.js'
import type { InitInput, WasmModule } from './slim.js'

export type { InitInput, WasmModule }

let pending: Promise<void> | undefined

/**
 * Loads the WebAssembly module: without an argument from `./wasm/verify.wasm` next to this
 * file (`new URL(…, import.meta.url)`, which Vite's production build and webpack 5 resolve);
 * or from the URL, bytes, `Response` or compiled `WebAssembly.Module` you pass, e.g. the URL
 * your bundler gives for `import wasmUrl from 'mcp-attest/verify.wasm'`. Responses served as
 * `application/wasm` compile while they download. Idempotent; until it resolves, every call
 * throws `not_initialized`, and a module that does not load rejects with that code too.
 *
 * @example
 * ```ts
 * import { initialize, canonicalize } from 'mcp-attest/verify'
 * await initialize()
 * canonicalize({ b: 1, a: 2 }) // '{"a":2,"b":1}'
 * ```
 */
export function initialize(input?: InitInput): Promise<void> {
  if (isInitialized()) return Promise.resolve()
  pending ??= compile(input ?? new URL('./wasm/verify.wasm', import.meta.url)).then(
    (module) => {
      glue.initSync({ module })
      setNative(glue)
    },
    (e: unknown) => {
      pending = undefined
      // One code for every way loading fails (HTTP status, network, bytes that are not this
      // module); the engine's own error stays the cause.
      throw e instanceof McpAttestError ? e : errorFor('not_initialized', 'mcp-attest/verify: the WebAssembly module could not be loaded', { cause: e })
    },
  )
  return pending
}

async function compile(input: InitInput): Promise<WebAssembly.Module> {
  if (input instanceof WebAssembly.Module) return input
  if (input instanceof ArrayBuffer || ArrayBuffer.isView(input)) return WebAssembly.compile(input as BufferSource)
  const res = await (typeof input === 'string' || input instanceof URL || (typeof Request === 'function' && input instanceof Request) ? fetch(input) : (input as Response | Promise<Response>))
  if (!res.ok) throw errorFor('not_initialized', `mcp-attest/verify: fetching the WebAssembly module failed with HTTP ${res.status}`)
  // compileStreaming refuses any other content type; the fallback costs only the overlap.
  if (typeof WebAssembly.compileStreaming === 'function' && res.headers.get('content-type')?.split(';')[0].trim() === 'application/wasm') {
    return WebAssembly.compileStreaming(res)
  }
  return WebAssembly.compile(await res.arrayBuffer())
}

export * from '../errors.js'
export { VerifyingKey, signatureFromBase64url, signatureToBase64url, type DidDocumentFormat } from '../keys.js'
export * from '../formats.js'
export { extAuthSigningInput, contentHash, toolsHash, verifyTool, verifyToolsList } from '../tools.js'
export type { JsonObject, ToolStatus, ToolReport, ManifestReport, ToolsReport, VerifyToolsOptions } from '../tools.js'
export { decodeJwsUnverified, verifyJws, TrustedIssuer, RevocationList, PassportVerifier, verifyPassport } from '../tokens.js'
export type { DecodedJws, VerifyJwsOptions, RevocationEntry, McpInfo, Passport, VerifyPassportOptions } from '../tokens.js'
export { verifyIdentityDocument, createChallenge, challengeSigningInput, verifyChallengeResponse, challengeErrorToJsonRpc } from '../identity.js'
export type { VerifiedIdentity, ChallengeParams, ChallengeResult } from '../identity.js'
export { TrustStore } from '../trust.js'
export { MAX_TEXT_LENGTH, MAX_BYTES_LENGTH } from '../util.js'
export { coreErrorCodes } from '../index.js'
