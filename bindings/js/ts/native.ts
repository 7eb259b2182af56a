// The loaded wasm glue. Each entry (node, web, verify, slim) installs it, or a loader that
// instantiates it on the first call; every API call reaches it through `native()`, which
// throws `not_initialized` when there is neither.
import type * as Glue from '#wasm/types'
import { errorFor, fromNative } from './errors.js'

/**
 * The wasm-bindgen glue module, without its loaders. Node's glue returns pairs and Results
 * through linear memory and the browsers' as multiple values (scripts/build.mjs), so the
 * types of the raw exports `initSync` returns differ; the API the library calls is the same.
 * @internal
 */
export type GlueModule = Omit<typeof Glue, 'initSync' | 'default'>

let glue: GlueModule | undefined
let loader: (() => GlueModule) | undefined

/** @internal */
export function setNative(g: GlueModule): void {
  glue = g
}

/**
 * Instantiates the module on the first call instead of at import, so that importing costs
 * nothing and no entry needs a top-level `await` (which bundlers refuse for older targets and
 * IIFE output). @internal
 */
export function setLoader(load: () => GlueModule): void {
  loader = load
}

/** @internal */
export function isInitialized(): boolean {
  return glue !== undefined
}

/** @internal */
export function native(): GlueModule {
  if (glue === undefined && loader !== undefined) {
    try {
      glue = loader()
    } catch (e) {
      // Kept as the cause, not in the message: a CSP or engine refusal is the user's to read.
      throw errorFor('not_initialized', 'mcp-attest: the WebAssembly module could not be instantiated', { cause: e })
    }
  }
  if (glue === undefined) {
    throw errorFor('not_initialized', 'mcp-attest/slim: call `await initialize()` before using the library')
  }
  return glue
}

/** Runs a glue call, turning its errors into the class for their code. @internal */
export function call<T>(f: (g: GlueModule) => T): T {
  const g = native()
  try {
    return f(g)
  } catch (e) {
    throw fromNative(e)
  }
}
