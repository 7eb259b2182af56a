// `mcp-attest/slim`: no top-level await and no inlined wasm. Call `await initialize()` once
// before anything else; until then every call throws McpAttestError `not_initialized`.
import * as glue from '#wasm/web'
import { isInitialized, setNative } from '../native.js'

export * from '../index.js'

/**
 * A compiled `WebAssembly.Module`, named without the DOM lib: a Node program's types (no DOM,
 * @types/node) have no `WebAssembly` namespace, and naming it here broke their compile.
 */
export type WasmModule = typeof globalThis extends { WebAssembly: { Module: abstract new (...args: never[]) => infer M } } ? M : never

/** What {@link initialize} accepts: the `.wasm` URL, its bytes, a compiled module, or a fetch Response. */
export type InitInput = string | URL | Request | Response | ArrayBuffer | ArrayBufferView | WasmModule | Promise<Response>

let pending: Promise<void> | undefined

/**
 * Loads the WebAssembly module. Without an argument it fetches `mcp_attest_wasm_bg.wasm`
 * next to this file (`new URL(…, import.meta.url)`, which bundlers understand); pass the
 * bytes, a `WebAssembly.Module` or a URL to load it yourself. Idempotent.
 *
 * @example
 * ```ts
 * import { initialize, verifyPassport } from 'mcp-attest/slim'
 * await initialize()
 * verifyPassport(token)
 * ```
 */
export function initialize(input?: InitInput): Promise<void> {
  if (isInitialized()) return Promise.resolve()
  pending ??= glue
    .default({ module_or_path: input ?? new URL('./wasm/web/mcp_attest_wasm_bg.wasm', import.meta.url) })
    .then(() => setNative(glue))
    .catch((e: unknown) => {
      pending = undefined
      throw e
    })
  return pending
}
